"""The figures of one moment, taken on the node's loop and handed to the HTTP thread.

Everything in a :class:`Published` is built for it on the loop and never changed afterwards
(the view hands out fresh copies), so the HTTP thread reads it without a lock and without
touching a single object of the node.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hb_exporter_prometheus.figures import FiguresCopy


@dataclass(frozen=True)
class Published:
    """``snapshot`` (:meth:`hb_hookspecs.StatisticsView.snapshot`), the latest ``events``
    (oldest first), the exporter's own event ``figures``, the monotonic time it was ``taken``
    and the hb ``version`` that took it."""

    snapshot: Mapping[str, Any]
    events: Sequence[Mapping[str, Any]]
    figures: FiguresCopy
    taken: float
    version: str

    @property
    def node(self) -> str:
        """This node's name."""
        return str(self.snapshot.get("node", ""))
