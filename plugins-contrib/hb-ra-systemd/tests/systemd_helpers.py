"""A stand-in ``systemctl`` (no systemd runs as PID 1 where the tests run): an sh script first
on PATH that records each call in ``DIR/calls`` and keeps each unit's state in ``DIR``.

- ``start``: the unit becomes active; ``DIR/UNIT.fail`` makes the job fail (exit 1, systemd's
  words), ``DIR/UNIT.hang`` makes systemctl hang;
- ``stop``: the unit becomes inactive; ``DIR/UNIT.unknown`` makes it a unit systemd does not
  know (exit 5);
- ``is-active``: prints the state, exit 0 when active, 3 otherwise;
- ``show``: prints ``DIR/UNIT.show``, else systemd's default timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

SYSTEMCTL = r"""#!/bin/sh
echo "$*" >> "$HBTEST_SYSTEMD/calls"
verb=
for argument in "$@"; do
    case "$argument" in --*) ;; *) [ -z "$verb" ] && verb=$argument; unit=$argument;; esac
done
state="$HBTEST_SYSTEMD/$unit"
case "$verb" in
start)
    if [ -f "$state.hang" ]; then sleep 60; fi
    if [ -f "$state.fail" ]; then
        echo "Job for $unit failed because the control process exited with error code." >&2
        exit 1
    fi
    echo active > "$state.state";;
stop)
    if [ -f "$state.unknown" ]; then
        echo "Failed to stop $unit: Unit $unit not loaded." >&2
        exit 5
    fi
    rm -f "$state.state";;
is-active)
    current=$(cat "$state.state" 2>/dev/null || echo inactive)
    echo "$current"
    [ "$current" = active ] || exit 3;;
show)
    if [ -f "$state.show" ]; then cat "$state.show"
    else printf 'TimeoutStartUSec=1min 30s\nTimeoutStopUSec=1min 30s\n'; fi;;
esac
exit 0
"""


@dataclass(frozen=True)
class FakeSystemd:
    """The stand-in's state directory."""

    state: Path

    @classmethod
    def install(cls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSystemd:
        bin_dir, state = tmp_path / "bin", tmp_path / "systemd"
        bin_dir.mkdir()
        state.mkdir()
        (bin_dir / "systemctl").write_text(SYSTEMCTL)
        (bin_dir / "systemctl").chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
        monkeypatch.setenv("HBTEST_SYSTEMD", str(state))
        return cls(state)

    def calls(self) -> list[str]:
        path = self.state / "calls"
        return path.read_text().splitlines() if path.exists() else []

    def mark(self, unit: str, what: str, text: str = "") -> None:
        (self.state / f"{unit}.{what}").write_text(text)

    def active(self, unit: str) -> bool:
        return (self.state / f"{unit}.state").exists()
