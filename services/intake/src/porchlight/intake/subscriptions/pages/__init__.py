"""The HTML pages residents see from subscriptions (no SQL, no HTTP: the routes send them)."""
