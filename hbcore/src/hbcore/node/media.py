"""The node's media: all started before the node takes its identity, or none, and stopped last.

A node blind on one of its paths does not run: when a medium cannot start, the ones started
before it are stopped again and :class:`MediumFailed` says which one failed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import structlog
from hb_hookspecs import Medium

log = structlog.get_logger("hb.node")


class MediumFailed(Exception):
    """A medium could not start, so the node did not: the media started before it are stopped
    again and the generation is not bumped. ``medium`` is the one that failed."""

    def __init__(self, medium: Medium, error: OSError) -> None:
        super().__init__(f"{medium.name}: {error}")
        self.medium = medium
        self.error = error


async def start_media(media: Sequence[Medium], deliver: Callable[[str, bytes], None]) -> None:
    """Start every medium of ``media``, each handing its packets to ``deliver(name, packet)``.

    :raises MediumFailed: when one cannot start; none runs then.
    """
    started: list[Medium] = []
    for medium in media:
        try:
            await medium.start(partial(deliver, medium.name))
        except OSError as error:
            await stop_media(started)
            raise MediumFailed(medium, error) from error
        log.info(f"{medium.describe()} started", medium=medium.name)
        started.append(medium)


async def stop_media(media: Sequence[Medium]) -> None:
    """Stop ``media``, the last started first."""
    for medium in reversed(media):
        await medium.stop()
