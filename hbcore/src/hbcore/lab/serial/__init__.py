"""Null-modem cables between nodes: pty pairs joined by a forwarder process."""
