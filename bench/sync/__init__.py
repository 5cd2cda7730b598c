"""Sync benchmark: 50,000 employees from the fake BambooHR into SQLite and PostgreSQL."""
