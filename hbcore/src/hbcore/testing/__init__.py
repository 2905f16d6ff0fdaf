"""Test helpers for hb and its plugins: in-process media and clusters."""
