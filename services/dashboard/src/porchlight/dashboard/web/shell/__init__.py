"""The web UI's shipped files: paths and the service worker's cache name (pure)."""
