"""Workspace-wide test settings: the hypothesis profiles every property and fuzz test runs under.

``ci`` (the default) keeps the suite within its time budget; ``release`` is the long run before a
release (``make fuzz``: ``pytest -m fuzz --hypothesis-profile=release``). Property tests that
set no ``max_examples`` of their own follow the profile. No deadline in either: the machines
that run the suite are shared, and a slow example is not a failure.
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "release", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every hypothesis test is a ``fuzz`` test, so ``make fuzz`` finds new ones by itself."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.fuzz)


@pytest.fixture(autouse=True)
def _plugin_selection_stays_with_its_test() -> Iterator[None]:
    """``hb --plugins``/``-p`` export the selection to the environment, for every hb process
    the command starts; run in-process (click's CliRunner) that export would outlive the test
    and disable plugins in every test after it. Each test gets the selection it started with
    back."""
    saved = {name: os.environ.get(name) for name in ("HB_PLUGINS", "HB_DISABLE_PLUGINS")}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
