"""The control socket: ``hb status``, ``hb stop`` (and later standby/takeover) talk to a running
node over a unix socket, one JSON request and one JSON answer per connection."""
