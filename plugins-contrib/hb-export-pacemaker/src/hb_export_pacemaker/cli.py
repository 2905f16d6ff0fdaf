"""``hb export pacemaker`` and ``hb export corosync``: the commands hb-export-pacemaker adds.

Both read the configuration as ``hb check`` does and refuse one with errors (printed as
``hb check`` prints them): what is exported is what hb would run. The export goes to standard
output; what could not be translated goes to standard error too, one line each, as
``hb export: FILE:LINE: what; what to do``, and is in the output's comments.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import click
from hbcore.cli.check_cmd import config_dir_option
from hbcore.cli.options import load_selected, plugin_selection_options
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.config.problems import Problem

FAILED = 1


@click.group("export")
def export_group() -> None:
    """Write the configuration for Pacemaker and Corosync.

    The way out of heartbeat's haresources mode: the cluster as a Pacemaker CIB (or pcs
    commands) and its heartbeat paths as a corosync.conf. Check the CIB with crm_verify -x,
    the corosync.conf with corosync -t; docs/migration.md has the cut-over.
    """


@export_group.command("pacemaker")
@config_dir_option()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["cib", "pcs", "crm"]),
    default="cib",
    show_default=True,
    help="CIB XML (for crm_verify and cibadmin), a shell script of pcs commands, or crm "
    "shell configuration (for crm configure load update).",
)
@click.option(
    "--with-status",
    is_flag=True,
    help="Add a status section with every node online, for crm_simulate; never load such a "
    "CIB into a live cluster.",
)
@plugin_selection_options
def pacemaker(
    config_dir: Path,
    output_format: str,
    with_status: bool,
    plugins: str | None,
    disables: tuple[str, ...],
) -> None:
    """Write ha.cf and haresources as a Pacemaker configuration.

    One group per haresources line (its resources in order, IPaddr as ocf:heartbeat:IPaddr2,
    heartbeat's resource.d wrappers as their OCF agents, other scripts as lsb:, ocf: and
    systemd: tokens as themselves), a location preference for the line's node,
    auto_failback as resource-stickiness, ipfail's ping nodes as ocf:pacemaker:ping clones
    with location rules, a monitor operation on every resource, and no-quorum-policy and
    stonith-enabled for a cluster without quorum or fencing. Comments in the output say why.
    """
    from hb_export_pacemaker.cib_xml import cib_xml
    from hb_export_pacemaker.crm import crm_configuration
    from hb_export_pacemaker.pcs import pcs_script
    from hb_export_pacemaker.plan import plan

    config = _load(config_dir, plugins, disables)
    with _bugs_reported(config_dir):
        exported = plan(config)
        if output_format == "pcs":
            text = pcs_script(exported, str(config_dir))
        elif output_format == "crm":
            text = crm_configuration(exported, str(config_dir))
        else:
            text = cib_xml(exported, str(config_dir), with_status)
    for note in exported.all_notes:
        click.echo(f"hb export: {note}", err=True)
    click.echo(text, nl=False)


@export_group.command("corosync")
@config_dir_option()
@click.option(
    "--node-address",
    "node_addresses",
    multiple=True,
    metavar="NODE=ADDR[,ADDR]",
    help="NODE's address on each heartbeat interface, link 0 first; repeatable. Without it a "
    "node's name stands for its link 0 address.",
)
@plugin_selection_options
def corosync(
    config_dir: Path,
    node_addresses: tuple[str, ...],
    plugins: str | None,
    disables: tuple[str, ...],
) -> None:
    """Write the heartbeat paths of ha.cf as a corosync.conf.

    Transport knet, one link per heartbeat interface (bcast, ucast, mcast), the nodes of
    ha.cf with nodeids from 1, token from deadtime, two_node for two nodes. Serial cables
    have no Corosync counterpart and are named in a comment. A heartbeat that carries
    Pacemaker (crm on) exports too: Corosync replaces it under the same CIB.
    """
    from hb_export_pacemaker.corosync import (
        AddressError,
        blocking_errors,
        corosync_conf,
        links,
        parse_addresses,
    )

    config = _load(config_dir, plugins, disables, blocking_errors)
    with _bugs_reported(config_dir):
        found, left_out = links(config)
    try:
        addresses = parse_addresses(node_addresses, config.hacf.nodes, len(found))
    except AddressError as error:
        raise click.BadParameter(str(error), param_hint="--node-address") from None
    with _bugs_reported(config_dir):
        text = corosync_conf(config, str(config_dir), addresses)
    for line in left_out:
        click.echo(f"hb export: {line}", err=True)
    click.echo(text, nl=False)


@contextlib.contextmanager
def _bugs_reported(config_dir: Path) -> Iterator[None]:
    """An exception where a configuration hb check accepts should export is a bug of the
    exporter: one line saying so, exit 1, rather than a traceback and half an output."""
    try:
        yield
    except Exception as error:
        raise click.ClickException(
            f"cannot export {config_dir}: {type(error).__name__}: {error}; this is a bug of "
            "hb-export-pacemaker: please report it with the configuration"
        ) from error


def _load(
    config_dir: Path,
    plugins: str | None,
    disables: tuple[str, ...],
    blocking: Callable[[Configuration], list[Problem]] | None = None,
) -> Configuration:
    """The configuration, or exit 1 with its errors (``blocking``'s choice of them, by
    default all) as hb check prints them."""
    config = load_configuration(config_dir, load_selected(plugins, disables))
    errors = blocking(config) if blocking else config.errors(strict=False)
    if errors:
        for problem in errors:
            click.echo(problem.render(False), err=True)
        click.echo(f"hb export: {config_dir}: {len(errors)} error(s); nothing exported", err=True)
        raise SystemExit(FAILED)
    return config
