"""Tests of the job layer: in-process on SQLite and PostgreSQL, worker processes on PostgreSQL."""
