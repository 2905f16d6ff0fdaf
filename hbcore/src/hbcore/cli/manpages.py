"""Man pages for ``hb`` and every subcommand, written from the click commands themselves.

One page per command, named as git names its own (``hb-service-unit.1`` for
``hb service unit``), with the text of ``--help``: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, the
subcommands of a group, and SEE ALSO; ``hb.1`` adds the environment, the files and shell
completion. ``hb_standby.1`` and ``hb_takeover.1``, heartbeat's names, point to ``hb standby``
and ``hb takeover``.

The pages are committed under ``hbcore/share/man/man1`` and shipped in the hbcore wheel as data
files, so that they install to ``<prefix>/share/man/man1`` (a virtualenv's too, where man-db
finds them beside its ``bin``). They are hb's own commands' alone, whatever plugins are
installed: a plugin's commands (``hb_register_commands``) have their pages in the plugin's
distribution, written with ``--plugin NAME``. After changing a command, write them again::

    .venv/bin/python -m hbcore.cli.manpages hbcore/share/man/man1
    .venv/bin/python -m hbcore.cli.manpages --plugin lab plugins-contrib/hb-lab/share/man/man1
"""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
from click.formatting import join_options

from hbcore import __version__
from hbcore.cli.main import COMMANDS, cli

SECTION = "1"
ALIASES = {"hb_standby": "hb-standby", "hb_takeover": "hb-takeover"}
"""heartbeat's command names that hb installs too, and the page each one shows."""
HEADER = ".\\\" Written by hbcore.cli.manpages from hb's command line: do not edit.\n"


@dataclass(frozen=True)
class Page:
    """One command: its words (``("hb", "service", "unit")``) and click's view of it."""

    words: tuple[str, ...]
    command: click.Command
    context: click.Context

    @property
    def name(self) -> str:
        """The page name: ``hb-service-unit``."""
        return "-".join(self.words)


def commands(
    command: click.Command = cli,
    words: tuple[str, ...] = ("hb",),
    parent: click.Context | None = None,
    plugins: str = "",
) -> Iterator[Page]:
    """Every command under ``command``, itself first, depth first in ``hb --help`` order, as
    ``hb --plugins PLUGINS`` has them (by default, hb's own alone)."""
    context = click.Context(command, info_name=words[-1], parent=parent, **command.context_settings)
    if parent is None:
        context.params.update(plugins=plugins, disables=())
    yield Page(words, command, context)
    if isinstance(command, click.Group):
        for name in command.list_commands(context):
            subcommand = command.get_command(context, name)
            if subcommand is not None and not subcommand.hidden:
                yield from commands(subcommand, (*words, name), context)


def escape(text: str) -> str:
    """``text`` as roff input: backslashes and minus signs escaped, and a line that would
    start with a request (``.`` or ``'``) protected."""
    escaped = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(
        "\\&" + line if line.startswith((".", "'")) else line for line in escaped.splitlines()
    )


def _paragraphs(help_text: str) -> list[str]:
    """click's help text as roff paragraphs: a paragraph that starts with click's ``\\b`` line
    keeps its lines (an example), the others are filled."""
    text = inspect.cleandoc(help_text).split("\f")[0]
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if lines and lines[0].strip() == "\b":
            body = "\n".join(line.rstrip() for line in lines[1:])
            blocks.append(f".PP\n.nf\n.RS 4\n{escape(body)}\n.RE\n.fi")
        elif paragraph.strip():
            filled = " ".join(line.strip() for line in lines)
            blocks.append(f".PP\n{escape(filled)}")
    return blocks


def _options(page: Page) -> list[str]:
    records = [param.get_help_record(page.context) for param in page.command.params]
    # The help option is built from the page's context, not taken from click, which keeps the
    # first one it built: for a command once invoked alone (a test), one without hb's ``-h``.
    help_names = page.command.get_help_option_names(page.context)
    if page.command.add_help_option and help_names:
        records.append((join_options(help_names)[0], "Show this message and exit."))
    return [
        f".TP\n\\fB{escape(names)}\\fR\n{escape(help_text)}"
        for names, help_text in (record for record in records if record is not None)
    ]


def _subcommands(page: Page) -> list[str]:
    if not isinstance(page.command, click.Group):
        return []
    entries: list[str] = []
    for name in page.command.list_commands(page.context):
        subcommand = page.command.get_command(page.context, name)
        if subcommand is None or subcommand.hidden:
            continue
        reference = escape("-".join((*page.words, name)))
        summary = escape(subcommand.get_short_help_str(limit=300))
        entries.append(f".TP\n\\fB{reference}\\fR({SECTION})\n{summary}")
    return entries


def _see_also(page: Page, pages: list[Page]) -> str:
    parent = ["-".join(page.words[:-1])] if len(page.words) > 1 else []
    children = [
        other.name
        for other in pages
        if len(other.words) == len(page.words) + 1 and other.words[:-1] == page.words
    ]
    references = [f"\\fB{escape(name)}\\fR({SECTION})" for name in parent + children]
    if page.words == ("hb",):
        references += ["\\fBheartbeat\\fR(8)", "\\fBcl_status\\fR(1)"]
    return ",\n".join(references)


ROOT_SECTIONS = r""".SH ENVIRONMENT
.TP
.B HB_PLUGINS
Load only these plugins (comma\-separated names; empty: none), as \fB\-\-plugins\fR.
.TP
.B HB_DISABLE_PLUGINS
Do not load these plugins (comma\-separated), as \fB\-p no:NAME\fR.
.SH FILES
.TP
.I /etc/ha.d/ha.cf
heartbeat's configuration: timers, heartbeat paths, nodes (\fB\-c\fR for another directory).
.TP
.I /etc/ha.d/haresources
The resource groups and the node that prefers each.
.TP
.I /etc/ha.d/authkeys
How packets are signed; mode 0600.
.TP
.I /run/heartbeat.pid
The running node's pid (\fB\-\-run\-dir\fR), locked while it runs.
.TP
.I /var/lib/heartbeat/hb_generation, /var/lib/heartbeat/hb_uuid
The node's restart counter and uuid (\fB\-\-state\-dir\fR).
.SH SHELL COMPLETION
Add to \fI~/.bashrc\fR:
.PP
.nf
.RS 4
eval "$(_HB_COMPLETE=bash_source hb)"
.RE
.fi
.PP
For zsh and fish, \fBzsh_source\fR and \fBfish_source\fR instead of \fBbash_source\fR.
"""


def render(page: Page, pages: list[Page]) -> str:
    """The roff text of ``page``."""
    command = page.command
    title = page.name.upper()
    synopsis = " ".join(escape(piece) for piece in command.collect_usage_pieces(page.context))
    sections = [
        HEADER + f'.TH "{escape(title)}" "{SECTION}" "" "hb {__version__}" "hb manual"',
        f".SH NAME\n{escape(page.name)} \\- {escape(command.get_short_help_str(limit=300))}",
        f".SH SYNOPSIS\n\\fB{escape(' '.join(page.words))}\\fR {synopsis}",
        ".SH DESCRIPTION\n" + "\n".join(_paragraphs(command.help or "")),
    ]
    options = _options(page)
    if options:
        sections.append(".SH OPTIONS\n" + "\n".join(options))
    subcommands = _subcommands(page)
    if subcommands:
        sections.append(".SH COMMANDS\n" + "\n".join(subcommands))
    if page.words == ("hb",):
        sections.append(ROOT_SECTIONS.rstrip("\n"))
    sections.append(".SH SEE ALSO\n" + _see_also(page, pages))
    return "\n".join(sections) + "\n"


def manpages(plugin: str | None = None) -> dict[str, str]:
    """Every page of hb's own commands, or with ``plugin`` every page of the commands that
    plugin adds; file name to text."""
    if plugin is not None:
        pages = list(commands(plugins=plugin))
        return {
            f"{page.name}.{SECTION}": render(page, pages)
            for page in pages
            if len(page.words) > 1 and page.words[1] not in COMMANDS
        }
    pages = list(commands())
    written = {f"{page.name}.{SECTION}": render(page, pages) for page in pages}
    for alias, target in ALIASES.items():
        assert f"{target}.{SECTION}" in written, f"{alias} shows {target}, which has no page"
        written[f"{alias}.{SECTION}"] = f".so man{SECTION}/{target}.{SECTION}\n"
    return written


def write(directory: Path, plugin: str | None = None) -> list[str]:
    """Write every page (of ``plugin``'s commands, when given) into ``directory`` and remove
    the pages of commands that are gone; return the names of the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = manpages(plugin)
    for stale in directory.glob(f"hb*.{SECTION}"):
        if stale.name not in written:
            stale.unlink()
    for name, text in written.items():
        (directory / name).write_text(text, encoding="utf-8")
    return sorted(written)


def main(argv: list[str] | None = None) -> None:
    """``python -m hbcore.cli.manpages [--plugin NAME] DIRECTORY``."""
    parser = argparse.ArgumentParser(
        prog="python -m hbcore.cli.manpages",
        description="Write the man pages of hb's commands (or of one plugin's) into DIRECTORY.",
    )
    parser.add_argument("--plugin", metavar="NAME", help="only the commands plugin NAME adds")
    parser.add_argument("directory", type=Path, metavar="DIRECTORY")
    arguments = parser.parse_args(argv)
    for name in write(arguments.directory, arguments.plugin):
        print(name)


if __name__ == "__main__":
    main()
