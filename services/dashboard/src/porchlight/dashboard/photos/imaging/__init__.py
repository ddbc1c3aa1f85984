"""Making an uploaded image safe to publish (a logic package: Pillow, no SQL, no HTTP)."""
