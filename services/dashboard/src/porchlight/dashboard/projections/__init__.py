"""Read models projected from events (rebuildable from scratch: ``porchlight dashboard rebuild``)."""
