"""Mail to subscribers (a logic package: no SQL, no HTTP): signed links, the messages, SMTP."""
