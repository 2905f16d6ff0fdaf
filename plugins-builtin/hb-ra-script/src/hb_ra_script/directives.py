"""``script_dirs DIR...``: where script resources are searched, in order (hb only).

heartbeat searched ``/etc/ha.d/resource.d`` then its build-time INITDIR (``/etc/init.d`` on
Debian, ``/etc/rc.d/init.d`` on older Red Hat). This directive replaces that list. A relative
directory is relative to the configuration directory, so ``resource.d`` follows ``-c``; without
the directive the order is heartbeat's (:func:`hb_ra_script.lookup.search_path`).
"""

from hb_hookspecs import Directive, Form, Repeat
from hb_hookspecs.arguments import ArgumentError

NAME_MAX = 255
"""The longest component of a path, in bytes."""


def script_dir(text: str) -> str:
    """One directory, absolute or relative to the configuration directory; the shell never
    sees it, so ``~`` and ``$VAR`` would be taken literally and are refused."""
    if text.startswith("~") or "$" in text:
        raise ArgumentError(
            f"'{text}' would not be expanded",
            "write the directory itself, e.g. /etc/rc.d/init.d or resource.d",
        )
    components = text.encode("utf-8", "surrogateescape").split(b"/")
    if any(len(component) > NAME_MAX for component in components):
        raise ArgumentError(
            f"'{text}' cannot be a directory: a name in it is longer than {NAME_MAX} bytes",
            "write the directory itself, e.g. /etc/rc.d/init.d or resource.d",
        )
    return text


SCRIPT_DIRS = Directive(
    name="script_dirs",
    parse=script_dir,
    summary=(
        "script_dirs DIR...: where resource scripts are searched, in order "
        "(hb only; default resource.d /etc/init.d)"
    ),
    form=Form.PER_TOKEN,
    repeat=Repeat.ACCUMULATE,
)
