"""Residents' email subscriptions to their neighborhood's updates (ADR 0017: the addresses are
personal data, so they live in intake and never leave it): double opt-in, one-click unsubscribe,
delivery through SMTP, bounces recorded."""
