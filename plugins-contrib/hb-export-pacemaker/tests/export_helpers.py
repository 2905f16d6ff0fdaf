"""What the exporter's tests share: the configurations they export, and Pacemaker's tools.

The configurations: this distribution's fixtures, the repository's seed (with each of its
haresources variants) and the 25 real-world sets of ``../shared/corpus/realworld`` prepared as
tests/test_check_corpus.py prepares them (the authkeys and haresources heartbeat's verdict run
added).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hb_export_pacemaker.cib_xml import cib_xml
from hb_export_pacemaker.plan import Plan, plan
from hbcore.cli.options import load_selected
from hbcore.config.configuration import Configuration, load_configuration
from hbcore.plugins import PluginSet

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[2]
SEED = REPO / "tests" / "fixtures" / "seed"
SEED_VERBATIM = REPO / "tests" / "fixtures" / "seed-verbatim" / "ha.d"
CORPUS = REPO.parent / "shared" / "corpus" / "realworld"
CRM_VERIFY = "/usr/sbin/crm_verify"
CRM_SIMULATE = "/usr/sbin/crm_simulate"
CIBADMIN = "/usr/sbin/cibadmin"
_TRANSITION = re.compile(r"^\s*(\w+)\s+(\S+)\s+\([^)]*?(\S+)\s*\)", re.MULTILINE)


@dataclass(frozen=True)
class Source:
    """A configuration to export: a name for the test id, how to lay it out, and as whom."""

    name: str
    files: Path
    haresources: Path | None = None
    """A haresources to use instead of the directory's own."""
    node_name: str | None = None
    extra_haresources: str | None = None
    """A haresources to write where the directory has none (the corpus's verdict runs)."""
    add_authkeys: bool = False

    def prepare(self, tmp_path: Path) -> Path:
        """A writable copy in ``tmp_path``, authkeys mode 0600 (git keeps no modes)."""
        config_dir = tmp_path / "ha.d"
        shutil.copytree(self.files, config_dir)
        if self.haresources is not None:
            shutil.copyfile(self.haresources, config_dir / "haresources")
        if self.extra_haresources is not None:
            (config_dir / "haresources").write_text(self.extra_haresources)
        if self.add_authkeys:
            (config_dir / "authkeys").write_text("auth 1\n1 crc\n")
        if (config_dir / "authkeys").exists():
            (config_dir / "authkeys").chmod(0o600)
        return config_dir


def fixture_sources() -> list[Source]:
    """This distribution's fixtures, the seed with each haresources variant, the verbatim seed."""
    sources = [Source(path.name, path) for path in sorted(FIXTURES.iterdir()) if path.is_dir()]
    sources.append(Source("seed", SEED / "ha.d", node_name="linuxha1"))
    sources += [
        Source(f"seed-{variant.name}", SEED / "ha.d", variant, "linuxha1")
        for variant in sorted((SEED / "variants").glob("haresources.*"))
    ]
    sources.append(Source("seed-verbatim", SEED_VERBATIM, node_name="linuxha1.linux-ha.org"))
    return sources


def corpus_sources() -> list[Source]:
    """The 25 real-world sets with what heartbeat's verdict run added (VERDICTS.md)."""
    if not CORPUS.is_dir():
        raise FileNotFoundError(
            f"corpus not found at {CORPUS}: clone the shared repository beside this one"
        )
    text = (CORPUS / "VERDICTS.md").read_text()
    sources = []
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        name = section.split()[0]
        hostname = re.search(r"hostname used: `([^`]+)`", section)
        added = re.search(r"files added: (.*)", section)
        assert hostname and added, f"cannot read the verdict of {name}"
        sources.append(
            Source(
                name,
                CORPUS / name,
                node_name=hostname[1],
                extra_haresources=f"{hostname[1]}\n" if "haresources (" in added[1] else None,
                add_authkeys="authkeys (" in added[1],
            )
        )
    return sources


@functools.cache
def plugins() -> PluginSet:
    """Every installed plugin, loaded once for the whole test session."""
    return load_selected(None, ())


def load(config_dir: Path, node_name: str | None = None) -> Configuration:
    return load_configuration(config_dir, plugins(), node_name)


def export(config_dir: Path, node_name: str | None = None) -> Plan:
    """The plan of a configuration that must load without errors."""
    config = load(config_dir, node_name)
    assert not config.errors(strict=False), [str(p) for p in config.errors(strict=False)]
    return plan(config)


def write_cib(plan_: Plan, path: Path, with_status: bool = False) -> Path:
    path.write_text(cib_xml(plan_, "test", with_status))
    return path


def crm_verify(path: Path) -> subprocess.CompletedProcess[str]:
    """``crm_verify -x FILE -V``: exit 0 and no output when Pacemaker accepts the CIB."""
    return subprocess.run(
        [CRM_VERIFY, "-x", str(path), "-V"], capture_output=True, text=True, timeout=30
    )


_NO_FENCE_DEVICE = (
    "Resource start-up disabled since no STONITH resources have been defined",
    "Either configure some or disable STONITH with the stonith-enabled option",
    "NOTE: Clusters with shared data need STONITH to ensure data integrity",
    "crm_verify: Errors found during check: config not valid",
)
"""What crm_verify says of a CIB with STONITH on and no fence device yet (the export of an
ha.cf with STONITH: its devices are created by hand)."""


def pacemaker_objections(exported: Plan, path: Path) -> list[str]:
    """What ``crm_verify -x -V`` says against the CIB at ``path``, one line each; the missing
    fence device excepted when ``exported`` turns STONITH on."""
    verified = crm_verify(path)
    lines = (verified.stdout + verified.stderr).splitlines()
    fencing = any(p.name == "stonith-enabled" and p.value == "true" for p in exported.properties)
    if fencing:
        lines = [line for line in lines if not line.endswith(_NO_FENCE_DEVICE)]
    elif verified.returncode != 0:
        lines.append(f"crm_verify exit status {verified.returncode}")
    return lines


def crm_simulate(path: Path, *extra: str) -> str:
    """``crm_simulate -x FILE -s`` (never ``-S``: it hits an assertion in Pacemaker 2.1.5)."""
    done = subprocess.run(
        [CRM_SIMULATE, "-x", str(path), "-s", *extra], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def placements(simulated: str) -> dict[str, tuple[str, str]]:
    """Resource → (action, node) of the transition summary lines (``Start  ip  ( alpha )``,
    ``Move  ip  ( beta -> alpha )``, ``Promote  drbd-r0:1  ( Stopped -> Promoted beta )``:
    the node it ends on; a clone instance under its own id and as ``ID:N``)."""
    found = {}
    for match in _TRANSITION.finditer(simulated):
        found[match[2]] = found[match[2].partition(":")[0]] = (match[1], match[3])
    return found


def set_node_attribute(path: Path, node_id: str, name: str, value: str) -> None:
    """Give a node of a CIB's status section a transient attribute (what ocf:pacemaker:ping
    sets on a live node)."""
    tree = ET.parse(path)
    state = tree.find(f"status/node_state[@id='{node_id}']")
    assert state is not None
    transient = ET.SubElement(state, "transient_attributes", {"id": node_id})
    attributes = ET.SubElement(transient, "instance_attributes", {"id": f"status-{node_id}"})
    ET.SubElement(
        attributes, "nvpair", {"id": f"status-{node_id}-{name}", "name": name, "value": value}
    )
    tree.write(path)


def empty_cib(path: Path) -> None:
    """An empty CIB at ``path`` (``cibadmin --empty``), for pcs -f and crm with CIB_file."""
    empty = subprocess.run([CIBADMIN, "--empty"], capture_output=True, text=True, check=True)
    path.write_text(empty.stdout)


def same_placements(built: Path, ours: Path) -> bool:
    """True when crm_simulate places the configuration of ``built`` (a CIB another tool made
    from our export, without nodes or status) as it places ``ours`` (a ``with_status``
    export): ``built`` gets our nodes and status, then both are simulated."""
    tree = ET.parse(built)
    root = tree.getroot()
    mine = ET.parse(ours).getroot()
    configuration = root.find("configuration")
    assert configuration is not None
    for section, parent in (("configuration/nodes", configuration), ("status", root)):
        old, new = root.find(section), mine.find(section)
        assert old is not None and new is not None
        parent.remove(old)
        parent.append(new)
    root.set("have-quorum", "1")
    tree.write(built)
    return _transitions(built) == _transitions(ours)


def _transitions(cib: Path) -> Counter[tuple[str, str, str]]:
    """(action, resource, node) of every transition line, clone instances by their base id."""
    found: Counter[tuple[str, str, str]] = Counter()
    for line in crm_simulate(cib).splitlines():
        words = line.split()
        if len(words) >= 4 and words[2] == "(" and words[-1] == ")":
            found[(words[0], words[1].partition(":")[0], words[-2])] += 1
    return found
