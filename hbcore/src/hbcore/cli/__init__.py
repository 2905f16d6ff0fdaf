"""The ``hb`` command: one module per command group."""
