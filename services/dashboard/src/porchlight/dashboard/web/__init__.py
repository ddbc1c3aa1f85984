"""The web UI: the app shell and its assets, demo sign-in, and the same-origin API proxy."""

from porchlight.dashboard.web.routes import router

__all__ = ["router"]
