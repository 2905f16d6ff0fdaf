"""The installed entry points, read from the distributions' metadata files without
importlib.metadata: the same entry points, distributions and versions importlib.metadata
finds, and the node does not import it (nor the email package it needs)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from hbcore.plugins import InstalledEntryPoint, installed_entry_points


def distribution(site: Path, directory: str, metadata: str, entry_points_txt: str) -> None:
    (site / directory).mkdir(parents=True)
    (site / directory / ("PKG-INFO" if directory.endswith("egg-info") else "METADATA")).write_text(
        metadata
    )
    (site / directory / "entry_points.txt").write_text(entry_points_txt)


def test_the_installed_plugins_are_those_importlib_metadata_finds() -> None:
    mine = [(ep.name, ep.value, ep.distribution, ep.version) for ep in installed_entry_points()]
    theirs = sorted(
        (ep.name, ep.value, ep.dist.metadata["Name"], ep.dist.version)
        for ep in entry_points(group="hb.plugins")
        if ep.dist is not None
    )
    assert mine == theirs
    assert mine  # the workspace installs hb's own plugins


def test_metadata_files_are_read_as_importlib_metadata_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    distribution(
        first,
        "hb_ra_one-1.2.dist-info",
        "Metadata-Version: 2.1\nName: hb-ra-one\nVersion: 1.2\n\nName: not a header\n",
        "# comment\n[console_scripts]\nnot-a-plugin = x:y\n\n[hb.plugins]\n"
        "ra-one = hb_ra_one\nra-two = hb_ra_one.sub:thing [extra]\n",
    )
    # The same distribution further along the path is hidden, whatever its spelling.
    distribution(
        second,
        "HB.RA_one-0.1.dist-info",
        "Name: hb-ra-one\nVersion: 0.1\n",
        "[hb.plugins]\nold = x",
    )
    distribution(
        second, "hb_ra_egg.egg-info", "Name: hb-ra-egg\nVersion: 3\n", "[hb.plugins]\negg=e"
    )
    (second / "not-metadata.dist-info").write_text("a file, not a directory")
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "gone"), str(second)])
    mine = [(ep.name, ep.value, ep.distribution, ep.version) for ep in installed_entry_points()]
    theirs = sorted(
        (ep.name, ep.value, ep.dist.metadata["Name"], ep.dist.version)
        for ep in entry_points(group="hb.plugins")
        if ep.dist is not None
    )
    assert mine == theirs
    assert mine == [
        ("egg", "e", "hb-ra-egg", "3"),
        ("ra-one", "hb_ra_one", "hb-ra-one", "1.2"),
        ("ra-two", "hb_ra_one.sub:thing [extra]", "hb-ra-one", "1.2"),
    ]


def test_loading_imports_the_module_and_follows_the_attribute() -> None:
    ep = InstalledEntryPoint("x", "os.path:join.__name__", "hb.plugins", "d", "1")
    assert ep.load() == "join"
    assert InstalledEntryPoint("x", "json", "hb.plugins", "d", "1").load() is json
    with pytest.raises(ValueError, match="not an entry point reference"):
        InstalledEntryPoint("x", "a b", "hb.plugins", "d", "1").load()


def test_loading_every_plugin_leaves_importlib_metadata_out() -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from hbcore.plugins import Selection, load_plugins
        records = load_plugins(Selection()).records
        print(json.dumps([
            len(records), [r.name for r in records if r.status == "failed"],
            "importlib.metadata" in sys.modules, "email" in sys.modules,
        ]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    count, failed, metadata, email = json.loads(done.stdout)
    assert count == len(installed_entry_points())
    assert (failed, metadata, email) == ([], False, False)
