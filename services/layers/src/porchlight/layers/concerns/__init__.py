"""Residents' concerns where they were raised: what same-block connections and target-versus-control
read of the notes (already redacted by intake), kept from note and analysis events."""
