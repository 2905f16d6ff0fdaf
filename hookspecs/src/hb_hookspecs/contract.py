"""The version of the plugin contract, and the check of the version a plugin was built for.

The contract is everything in :mod:`hb_hookspecs`: the hookspecs, the registrations and the
runtime interfaces. Its version is ``(major, minor)``. A change that can break a plugin (a hook
or a parameter removed or renamed, an interface method added, a meaning changed) raises the
major; an addition a plugin may ignore (a new hook, an optional field) raises the minor.

A plugin declares the contract it was built for in its package, the module its ``hb.plugins``
entry point names, with literal numbers::

    HB_CONTRACT = (1, 0)

hb loads a plugin only when the major versions are equal and the plugin's minor is not newer
than hb's. A plugin without ``HB_CONTRACT`` was written before the declaration existed, for
contract 1: it is taken as ``(1, 0)``, so it keeps loading until the first breaking change,
and is refused from then on rather than run against a contract it does not know.
"""

from __future__ import annotations

CONTRACT_VERSION: tuple[int, int] = (1, 1)
"""The contract this hb-hookspecs defines: ``(major, minor)``. 1.1 added
``hb_statistics_ready``, ``hb_cluster_event`` and :class:`~hb_hookspecs.StatisticsView`."""

CONTRACT_ATTRIBUTE = "HB_CONTRACT"
"""The module attribute of a plugin that declares the contract it was built for."""

UNDECLARED: tuple[int, int] = (1, 0)
"""The contract of a plugin that declares none: the first, before the declaration existed."""


def declared_contract(plugin: object) -> tuple[int, int]:
    """The contract ``plugin`` (its module) declares, as ``(major, minor)``.

    ``HB_CONTRACT`` may be ``(major, minor)`` or a bare ``major``; absent, it is
    :data:`UNDECLARED`. Raises ``ValueError`` naming the attribute when it is anything else.
    """
    declared = getattr(plugin, CONTRACT_ATTRIBUTE, UNDECLARED)
    if isinstance(declared, int) and not isinstance(declared, bool):
        declared = (declared, 0)
    if (
        isinstance(declared, tuple)
        and len(declared) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in declared)
    ):
        return (declared[0], declared[1])
    raise ValueError(
        f"{CONTRACT_ATTRIBUTE} = {declared!r} is not a contract version; "
        f"write {CONTRACT_ATTRIBUTE} = {CONTRACT_VERSION!r}"
    )


def contract_refusal(
    declared: tuple[int, int], supported: tuple[int, int] = CONTRACT_VERSION
) -> str | None:
    """Why a plugin built for contract ``declared`` cannot run on ``supported``, or None when
    it can: same major, and a minor no newer than ``supported``'s."""
    wanted, have = _text(declared), _text(supported)
    if declared[0] != supported[0]:
        return (
            f"built for hb plugin contract {wanted}, this hb speaks contract {have} "
            f"(a different major version): install a release of the plugin built for "
            f"contract {supported[0]}.x, or an hb that speaks {declared[0]}.x"
        )
    if declared[1] > supported[1]:
        return (
            f"built for hb plugin contract {wanted}, newer than this hb's {have}: "
            f"upgrade hb-hookspecs and hbcore"
        )
    return None


def _text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"
