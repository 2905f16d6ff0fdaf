"""Cluster decisions, every policy in one place: takeover and failback (nice failback, legacy),
standby, ipfail. They decide; :mod:`hbcore.resources` executes what they ask."""
