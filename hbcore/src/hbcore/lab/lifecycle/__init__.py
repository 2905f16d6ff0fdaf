"""A lab's life: its unique prefix, its state on disk, its teardown, and the sweep of labs
whose owner died."""
