"""Events on the monotonic clock, printed relative to a chosen zero (the kill)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Timeline:
    """Events on the monotonic clock, printed relative to the first ``zero``."""

    print_line: Callable[[str], None]
    zero: float | None = None
    events: list[tuple[float, str]] = field(default_factory=list)

    def note(self, at: float, text: str) -> None:
        """Record (and print at once) an event that happened at monotonic time ``at``."""
        self.events.append((at, text))
        offset = "" if self.zero is None else f"{at - self.zero:+8.3f} s  "
        self.print_line(f"{offset}{text}")
