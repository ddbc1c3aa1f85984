"""Photos of the everyday work on tasks and wins: cleaned (no EXIF, no location), resized, with alt
text, public only once a supervisor approves them."""
