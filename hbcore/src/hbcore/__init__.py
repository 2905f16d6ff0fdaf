"""hb: Linux-HA heartbeat rebuilt in Python."""

__version__ = "0.2.0"
