"""The shared board: columns of cards, and their changes streamed to every open board (SSE)."""
