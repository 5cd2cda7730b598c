"""Small per-domain helpers that create rows for tests (one module per domain)."""
