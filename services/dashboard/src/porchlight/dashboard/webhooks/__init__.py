"""Webhooks to the city's own communication tools (precinct social pages, the city's CMS): every
published update POSTed, signed (Standard Webhooks), retried with backoff, then kept as a dead
letter to retry by hand; nothing lost."""
