"""Run-time state on disk: the generation counter, the node uuid, and where files live."""
