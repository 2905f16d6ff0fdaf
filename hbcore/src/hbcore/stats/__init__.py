"""Statistics of a running node: per-link and per-node counters, resource groups, and the
cluster events with their measured durations (``hb status``, ``hb events``).

:class:`~hbcore.stats.recorder.Statistics` is what the node's parts report to;
:class:`~hbcore.stats.view.StatisticsView` is the read-only side a plugin gets.
"""
