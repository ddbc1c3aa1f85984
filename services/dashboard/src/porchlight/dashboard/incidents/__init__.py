"""Crime statistics: layers' incident records (``record.accepted``), counted by district and month."""
