"""Same-block connections: a department record, rising incidents and residents' concerns at one place."""
