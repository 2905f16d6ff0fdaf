"""The agent: a marker file that exists while this node holds the group."""

from __future__ import annotations

from pathlib import Path

from hb_hookspecs import ResourceError

PREFIX = "touchfile::"


class TouchFileAgent:
    """``touchfile::/path``: ``start`` creates the file, ``stop`` removes it."""

    def __init__(self, token: str, path: str) -> None:
        self.name = token
        self.path = Path(path)

    async def start(self) -> None:
        try:
            self.path.touch()
        except OSError as error:
            raise ResourceError(f"cannot create {self.path}: {error.strerror}") from None

    async def stop(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as error:
            raise ResourceError(f"cannot remove {self.path}: {error.strerror}") from None

    async def status(self) -> bool:
        return self.path.exists()

    def describe(self) -> str:
        return f"touchfile {self.path}"
