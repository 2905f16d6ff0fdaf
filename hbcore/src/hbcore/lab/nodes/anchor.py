"""The anchor: a sleeping process that holds a node's hostname and mount namespace.

The anchor joins the node's network namespace, unshares UTS and mount namespaces, sets the
hostname, bind-mounts the node's private directories over the default paths and sleeps. Every
node process and every command run "on" the node enters the anchor's namespaces, so the node's
view exists before its daemon starts and survives the daemon being killed and restarted.
"""

from __future__ import annotations

import subprocess

from hbcore.lab.net.iproute import LabCommandError, netns_exec_argv
from hbcore.lab.nodes.filesystem import NodeDirs

_SCRIPT = """set -e
hostname "$1"
shift
while [ $# -gt 0 ]; do mount --bind "$1" "$2"; shift 2; done
echo ready
exec sleep infinity >/dev/null
"""


def start_anchor(netns: str, hostname: str, dirs: NodeDirs) -> subprocess.Popen[str]:
    """Start the anchor of a node and wait until its mounts are in place."""
    mounts = [str(part) for source, target in dirs.mounts() for part in (source, target)]
    argv = netns_exec_argv(
        netns,
        [
            "unshare",
            "--uts",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            _SCRIPT,
            "hb-lab-anchor",
            hostname,
            *mounts,
        ],
    )
    anchor = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert anchor.stdout is not None and anchor.stderr is not None
    if anchor.stdout.readline().strip() != "ready":
        anchor.wait()
        raise LabCommandError(f"node {hostname} did not start: {anchor.stderr.read().strip()}")
    anchor.stdout.close()
    anchor.stderr.close()
    return anchor


def enter_argv(anchor_pid: int, argv: list[str]) -> list[str]:
    """``argv`` prefixed to run in the anchor's network, UTS and mount namespaces."""
    return ["nsenter", "-t", str(anchor_pid), "-n", "-u", "-m", "--", *argv]
