"""The pluggy markers of hb and the entry-point group plugins are found in."""

import pluggy

PROJECT_NAME = "hb"
ENTRY_POINT_GROUP = "hb.plugins"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
