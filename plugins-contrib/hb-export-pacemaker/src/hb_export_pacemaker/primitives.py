"""One haresources token as one Pacemaker primitive: which agent, with which parameters.

The token forms (spec/config-files.md, and the contrib agents):

- ``10.0.0.5[/...]``, ``IPaddr::``, ``IPaddr2::`` → ``ocf:heartbeat:IPaddr2`` with ``ip``,
  ``cidr_netmask``, ``nic`` (and ``iflabel`` for ``eth0:label``), ``broadcast``: heartbeat's
  IPaddr wrapper and its shorthand become IPaddr2, Pacemaker's usual address agent, with the
  same meaning. ``IPv6addr::`` → ``ocf:heartbeat:IPv6addr``.
- ``ocf:PROVIDER:AGENT::name=value::...`` → itself, the pairs as instance attributes, hb-ra-ocf's
  ``start-timeout=``, ``stop-timeout=`` and ``monitor-timeout=`` as operation timeouts.
- ``OCF::AGENT::INSTANCE`` (heartbeat's own OCF wrapper) → ``ocf:PROVIDER:AGENT`` with the
  ``OCF_RESKEY_*`` settings of ``conf/OCF/AGENT/INSTANCE`` under the configuration directory,
  the provider being the first directory of the OCF root that holds AGENT, as the wrapper
  looks it up (``heartbeat`` when none does here).
- ``systemd:UNIT`` → ``systemd:UNIT``.
- a heartbeat wrapper of an OCF agent (:mod:`~hb_export_pacemaker.wrappers`) →
  ``ocf:heartbeat:NAME``, its positional arguments named.
- ``drbddisk::RESOURCE`` (DRBD's script: RESOURCE primary here) → ``ocf:linbit:drbd`` with
  ``drbd_resource``, marked promotable: the plan makes it a promotable clone that the group
  follows.
- any other script → ``lsb:NAME``. Pacemaker's LSB class runs ``/etc/init.d/NAME start|stop|
  status``, which is how heartbeat calls a script without arguments. heartbeat looks in
  ``resource.d`` before ``/etc/init.d``, and ``ocf:heartbeat:anything`` (the other candidate)
  runs a long-lived program rather than a start/stop script, so a ``resource.d``-only script is
  still ``lsb:``: install it as ``/etc/init.d/NAME``. Arguments cannot be passed to an LSB
  script: a script with arguments is exported as ``lsb:NAME`` with a note saying what was lost.
  (Pacemaker reads an LSB ``status`` by its exit code, 3 for stopped, where heartbeat read its
  output: docs/migration.md says to check each script.)

Pure but for the ``OCF::`` wrapper's lookups (its instance file and the OCF root).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hb_hookspecs import ArgumentError

# hb-ra-ipaddr ships no py.typed: its parser is read untyped (the AddressSpec it returns too).
from hb_ra_ipaddr.argument import IPV6ADDR, parse_token  # type: ignore[import-untyped]
from hbcore.config.haresources import Resource

from hb_export_pacemaker.wrappers import ARGUMENT_COUNTS, DRBDDISK, WRAPPERS, Parameters

OCF_ROOT = Path("/usr/lib/ocf/resource.d")
"""Where OCF agents live, one directory per provider."""
DEFAULT_PROVIDER = "heartbeat"
OPERATION_TIMEOUTS = {
    "start-timeout": "start",
    "stop-timeout": "stop",
    "monitor-timeout": "monitor",
}
"""hb-ra-ocf's per-token settings (a ``-`` in the name, never an OCF parameter's) that are
Pacemaker operation timeouts; its ``validate-all-timeout`` has none: Pacemaker runs no
validate-all operation."""
_RESKEY = re.compile(r"^\s*(?:export\s+)?OCF_RESKEY_(\w+)=(.*?)\s*$")


@dataclass(frozen=True)
class Primitive:
    """One Pacemaker primitive resource, from one haresources token."""

    name: str
    """The base of its id (made unique by the plan): ``ip-10.0.0.5``, ``httpd``."""
    standard: str
    """``ocf``, ``lsb`` or ``systemd`` (Pacemaker's ``class``)."""
    provider: str | None
    agent: str
    parameters: Parameters
    token: str
    """The haresources token it comes from, as written."""
    where: str
    """``haresources:LINE``."""
    notes: tuple[str, ...] = ()
    """What the translation lost or changed, for a comment and a warning."""
    timeouts: tuple[tuple[str, str], ...] = ()
    """Operation timeouts the token sets (``start``, ``stop``, ``monitor``), as written."""
    promotable: bool = False
    """A promotable clone's primitive (DRBD): the group runs where it is promoted."""

    @property
    def spec(self) -> str:
        """``ocf:heartbeat:IPaddr2``, ``lsb:httpd``: the agent as pcs and crm name it."""
        provider = f"{self.provider}:" if self.provider else ""
        return f"{self.standard}:{provider}{self.agent}"


def primitive(resource: Resource, config_dir: Path, ocf_root: Path = OCF_ROOT) -> Primitive:
    """The primitive for ``resource``; never raises for any token (what cannot be translated
    is in the result's notes). Characters a CIB cannot hold (control characters, bytes that
    were not UTF-8) are written escaped, ``\\x01``, with a note."""
    translated = _translate(resource, config_dir, ocf_root)
    texts = (
        translated.name,
        translated.agent,
        *(t for pair in translated.parameters for t in pair),
    )
    if all(text.isprintable() for text in texts):
        return translated
    return Primitive(
        escaped(translated.name),
        translated.standard,
        translated.provider,
        escaped(translated.agent),
        tuple((escaped(name), escaped(value)) for name, value in translated.parameters),
        translated.token,
        translated.where,
        (*translated.notes, "unprintable characters are written escaped: fix the token"),
        tuple((action, escaped(timeout)) for action, timeout in translated.timeouts),
        translated.promotable,
    )


def escaped(text: str) -> str:
    """``text`` with each unprintable character as its escape (``\\x01``; a byte that was
    not UTF-8, read with surrogateescape, as ``\\xe9``)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def _translate(resource: Resource, config_dir: Path, ocf_root: Path) -> Primitive:
    where = str(resource.location)
    token = resource.token
    script = resource.script
    if script in ("IPaddr", "IPaddr2", IPV6ADDR):
        return _address(resource, where)
    if script.startswith("ocf:"):
        return _ocf_token(resource, where)
    if script == "OCF":
        return _ocf_wrapper(resource, where, config_dir, ocf_root)
    if script.startswith("systemd:") and not resource.arguments:
        unit = script.removeprefix("systemd:")
        return Primitive(unit.removesuffix(".service"), "systemd", None, unit, (), token, where)
    if script == DRBDDISK and len(resource.arguments) == 1 and resource.arguments[0]:
        drbd = resource.arguments[0]
        return Primitive(
            f"drbd-{drbd}",
            "ocf",
            "linbit",
            "drbd",
            (("drbd_resource", drbd),),
            token,
            where,
            promotable=True,
        )
    wrapper = WRAPPERS.get(script)
    if wrapper is not None:
        notes: tuple[str, ...] = ()
        limit = ARGUMENT_COUNTS.get(script)
        if limit is not None and len(resource.arguments) > limit:
            dropped = " ".join(resource.arguments[limit:])
            notes = (
                f"arguments past the {limit} the {script} wrapper reads are dropped: {dropped}",
            )
        parameters = wrapper(resource.arguments)
        return Primitive(script, "ocf", DEFAULT_PROVIDER, script, parameters, token, where, notes)
    return _lsb(resource, where)


def _address(resource: Resource, where: str) -> Primitive:
    try:
        spec = parse_token(resource.token)
    except ArgumentError as error:
        spec = None
        reason = error.problem
    else:
        reason = "not an address token"
    if spec is None:
        return Primitive(
            "ip",
            "ocf",
            DEFAULT_PROVIDER,
            "IPaddr2",
            (),
            resource.token,
            where,
            (f"{resource.token}: {reason}; give ip= by hand",),
        )
    parameters: list[tuple[str, str]] = []
    agent = "IPv6addr" if spec.agent == IPV6ADDR else "IPaddr2"
    parameters.append(("ipv6addr" if agent == "IPv6addr" else "ip", str(spec.address)))
    if spec.prefixlen is not None:
        parameters.append(("cidr_netmask", str(spec.prefixlen)))
    if spec.interface is not None:
        parameters.append(("nic", spec.interface))
    if spec.label is not None:
        parameters.append(("iflabel", spec.label.partition(":")[2]))
    if spec.broadcast is not None:
        parameters.append(("broadcast", str(spec.broadcast)))
    return Primitive(
        f"ip-{spec.address}",
        "ocf",
        DEFAULT_PROVIDER,
        agent,
        tuple(parameters),
        resource.token,
        where,
    )


def _ocf_token(resource: Resource, where: str) -> Primitive:
    """``ocf:PROVIDER:AGENT::name=value::...``."""
    parts = resource.script.split(":")
    notes: list[str] = []
    if len(parts) != 3 or not all(parts):
        return _lsb(resource, where, (f"{resource.script} is not ocf:PROVIDER:AGENT",))
    _, provider, agent = parts
    parameters: list[tuple[str, str]] = []
    timeouts: list[tuple[str, str]] = []
    for argument in filter(None, resource.arguments):
        name, equals, value = argument.partition("=")
        if not equals or not name:
            notes.append(f"'{argument}' is not name=value: dropped")
        elif "-" not in name:
            parameters.append((name, value))
        elif name in OPERATION_TIMEOUTS:
            timeouts.append((OPERATION_TIMEOUTS[name], value))
        else:
            notes.append(f"'{name}' is hb's setting, with no Pacemaker counterpart: dropped")
    return Primitive(
        agent,
        "ocf",
        provider,
        agent,
        tuple(parameters),
        resource.token,
        where,
        tuple(notes),
        tuple(timeouts),
    )


def _ocf_wrapper(resource: Resource, where: str, config_dir: Path, ocf_root: Path) -> Primitive:
    """heartbeat's ``OCF::AGENT::INSTANCE``: the agent, with the instance file's settings."""
    if len(resource.arguments) != 2:
        return _lsb(resource, where, ("OCF:: takes AGENT::INSTANCE",))
    agent, instance = resource.arguments
    provider = _provider(agent, ocf_root)
    instance_file = config_dir / "conf" / "OCF" / agent / instance
    notes: tuple[str, ...] = ()
    try:
        parameters = reskeys(instance_file.read_text(errors="replace"))
    except OSError as error:
        parameters = ()
        notes = (f"cannot read {instance_file} ({error.strerror}): set the parameters by hand",)
    return Primitive(instance, "ocf", provider, agent, parameters, resource.token, where, notes)


def reskeys(text: str) -> Parameters:
    """The ``OCF_RESKEY_name=value`` settings of an OCF wrapper's instance file (which the
    wrapper sources as shell), in order, the last of a name winning; quotes around a value are
    removed; comments and other lines are ignored."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        match = _RESKEY.match(line)
        if match is None:
            continue
        value = match[2]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        found[match[1]] = value
    return tuple(found.items())


def _provider(agent: str, ocf_root: Path) -> str:
    """The first provider directory holding ``agent``, as the wrapper's ``ls */AGENT``."""
    try:
        providers = sorted(entry.name for entry in ocf_root.iterdir())
    except OSError:
        return DEFAULT_PROVIDER
    for provider in providers:
        if (ocf_root / provider / agent).is_file():
            return provider
    return DEFAULT_PROVIDER


def _lsb(resource: Resource, where: str, notes: tuple[str, ...] = ()) -> Primitive:
    name = resource.script
    if resource.arguments:
        dropped = "::".join(resource.arguments)
        hint = "write an init script (or an OCF agent) that needs none"
        notes += (f"Pacemaker passes no arguments to an LSB script: '{dropped}' is lost; {hint}",)
    return Primitive(name, "lsb", None, name, (), resource.token, where, notes)
