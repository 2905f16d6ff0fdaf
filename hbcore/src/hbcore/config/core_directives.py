"""The ha.cf directives owned by hbcore itself (placeholder, filled by the config work)."""

from hb_hookspecs import Directive

CORE_DIRECTIVES: tuple[Directive, ...] = ()
