"""Turning received notes into analyzed concerns with the live model, and storing them."""
