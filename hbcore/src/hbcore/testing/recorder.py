"""Recording the hook calls of a plugin manager, for tests that check what hb asked of the
plugins (pytest's ``HookRecorder`` is the model)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pluggy


@dataclass(frozen=True)
class HookCall:
    """One call of a hook, whether or not a plugin implements it."""

    name: str
    """The hook (``hb_resources_acquired``)."""
    arguments: Mapping[str, object]
    plugins: tuple[str, ...]
    """The plugins whose implementations ran, in pluggy's call order (none, when no loaded
    plugin implements the hook: the call is still what hb asked)."""
    result: object = None
    """What the call returned (a list, or one value for ``firstresult`` hooks)."""
    error: BaseException | None = None


class HookRecorder:
    """Every hook call of ``manager`` from now until :meth:`close`, in order.

    Registration hooks are called once per plugin, so they appear once per plugin that
    implements them. Event hooks are delivered in background tasks: await
    ``PluginSet.hooks.delivered()`` before looking for them.
    """

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.calls: list[HookCall] = []
        self._undo = manager.add_hookcall_monitoring(self._before, self._after)

    def named(self, name: str) -> list[HookCall]:
        """The calls of the hook ``name``, in order."""
        return [call for call in self.calls if call.name == name]

    def names(self) -> list[str]:
        """The hook of every call, in order."""
        return [call.name for call in self.calls]

    def close(self) -> None:
        """Stop recording."""
        self._undo()

    def _before(
        self, _hook: str, _impls: Sequence[pluggy.HookImpl], _kwargs: Mapping[str, object]
    ) -> None:
        pass

    def _after(
        self,
        outcome: pluggy.Result[object],
        hook: str,
        impls: Sequence[pluggy.HookImpl],
        kwargs: Mapping[str, object],
    ) -> None:
        self.calls.append(
            HookCall(
                hook,
                dict(kwargs),
                tuple(impl.plugin_name for impl in reversed(impls)),
                None if outcome.exception is not None else outcome.get_result(),
                outcome.exception,
            )
        )
