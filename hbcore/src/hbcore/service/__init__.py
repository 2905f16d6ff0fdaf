"""The files that make this installation of hb a system service: a systemd unit and an LSB init
script, both written for the ``hb`` that prints them (``hb service``)."""
