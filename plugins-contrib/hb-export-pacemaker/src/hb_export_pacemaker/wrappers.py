"""heartbeat's ``resource.d`` wrappers around OCF agents, and the parameters they set.

heartbeat 3.0.6 ships ``/etc/ha.d/resource.d/Filesystem``, ``MailTo``, ``IPsrcaddr`` ... : shell
wrappers that turn a haresources token's positional arguments (``Filesystem::/dev/sda1::/data``)
into ``OCF_RESKEY_*`` variables and run the OCF agent of the same name. Pacemaker runs that
agent directly (``ocf:heartbeat:Filesystem``) with named parameters, so each wrapper is a list
of the names its arguments become, read from the wrappers themselves (heartbeat 3.0.6, as
Debian 12 installs them). ``IPaddr``, ``IPaddr2`` and ``IPv6addr`` are not here: their one
argument has a syntax of its own (:mod:`hb_export_pacemaker.primitives`).
"""

from __future__ import annotations

from collections.abc import Callable

Parameters = tuple[tuple[str, str], ...]


def _positional(*names: str) -> Callable[[tuple[str, ...]], Parameters]:
    """Argument i becomes parameter ``names[i]``; arguments past the last name are dropped
    (the wrapper ignores them too, or refuses to run: either way they set nothing)."""

    def parameters(arguments: tuple[str, ...]) -> Parameters:
        return tuple(zip(names, arguments, strict=False))

    return parameters


def _nodelist(arguments: tuple[str, ...]) -> Parameters:
    """AudibleAlarm: every argument is a node name of one ``nodelist``."""
    return (("nodelist", " ".join(arguments)),) if arguments else ()


def _was(arguments: tuple[str, ...]) -> Parameters:
    """WAS: the argument is a port when it is a number, else a configuration file."""
    if not arguments:
        return ()
    name = "port" if arguments[0].isdigit() else "config"
    return ((name, arguments[0]),)


def _send_arp(arguments: tuple[str, ...]) -> Parameters:
    """SendArp: one argument ``IP/NIC``."""
    if not arguments:
        return ()
    ip, _, nic = arguments[0].partition("/")
    return (("ip", ip), ("nic", nic)) if nic else (("ip", ip),)


WRAPPERS: dict[str, Callable[[tuple[str, ...]], Parameters]] = {
    "AudibleAlarm": _nodelist,
    "Delay": _positional("startdelay", "stopdelay"),
    "Filesystem": _positional("device", "directory", "fstype", "options"),
    "ICP": _positional("driveid", "device"),
    "IPsrcaddr": _positional("ipaddress"),
    "LVM": _positional("volgrpname"),
    "LinuxSCSI": _positional("scsi"),
    "MailTo": _positional("email", "subject"),
    "Raid1": _positional("raidconf", "raiddev"),
    "SendArp": _send_arp,
    "ServeRAID": _positional("serveraid", "mergegroup"),
    "WAS": _was,
    "WinPopup": _positional("hostfile"),
    "Xinetd": _positional("service"),
    "apache": _positional("configfile"),
    "db2": _positional("instance"),
    "ids": _positional("informixdir", "informixserver", "onconfig"),
    "portblock": _positional("protocol", "portno", "action"),
}
"""Wrapper name (the OCF agent's too, provider ``heartbeat``) to its arguments' parameters."""

ARGUMENT_COUNTS: dict[str, int] = {
    "Delay": 2,
    "Filesystem": 4,
    "ICP": 2,
    "IPsrcaddr": 1,
    "LVM": 1,
    "LinuxSCSI": 1,
    "MailTo": 2,
    "Raid1": 2,
    "SendArp": 1,
    "ServeRAID": 2,
    "WAS": 1,
    "WinPopup": 1,
    "Xinetd": 1,
    "apache": 1,
    "db2": 1,
    "ids": 3,
    "portblock": 3,
}
"""How many arguments each wrapper reads (AudibleAlarm reads them all): more are dropped."""

DRBDDISK = "drbddisk"
"""DRBD's heartbeat script (drbd-utils): ``drbddisk::RESOURCE`` makes RESOURCE primary here.
Pacemaker's counterpart is a promotable clone of ``ocf:linbit:drbd`` (see the plan)."""
