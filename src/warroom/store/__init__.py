"""Persistence: the SQLite store (the only module here that touches the disk)."""
