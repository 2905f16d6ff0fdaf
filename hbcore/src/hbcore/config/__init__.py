"""The three configuration files of heartbeat, parsed into typed values that keep file and line."""
