"""hb-export-pacemaker: the way out of heartbeat's haresources mode, to Pacemaker and Corosync.

As an hb plugin it adds ``hb export pacemaker`` (the configuration as a CIB or as ``pcs``
commands) and ``hb export corosync`` (a ``corosync.conf`` from the heartbeat paths), imported
only when they run. The translation is :mod:`hb_export_pacemaker.plan` (pure: configuration in,
plan out); the renderers are :mod:`~hb_export_pacemaker.cib_xml`,
:mod:`~hb_export_pacemaker.pcs`, :mod:`~hb_export_pacemaker.crm` and
:mod:`~hb_export_pacemaker.corosync`.
"""

from __future__ import annotations

from collections.abc import Callable

from hb_hookspecs import CliCommand, hookimpl

HB_CONTRACT = (1, 0)
"""The plugin contract this plugin is built for (``hb_hookspecs.CONTRACT_VERSION``)."""


@hookimpl
def hb_register_commands(register: Callable[[CliCommand], None]) -> None:
    register(
        CliCommand(
            name="export",
            target="hb_export_pacemaker.cli:export_group",
            summary="Write the configuration for Pacemaker and Corosync.",
        )
    )
