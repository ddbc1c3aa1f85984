"""Porchlight layers: department records, Open311, same-block connections, place risk."""
