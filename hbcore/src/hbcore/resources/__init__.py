"""Resources: the haresources groups, holdings in heartbeat's words, and the executor that
acquires and releases groups, one action at a time, as :mod:`hbcore.decisions` asks."""
