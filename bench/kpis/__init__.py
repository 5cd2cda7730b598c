"""Benchmark: the KPI query over HTTP on 2,000 pairs and 20,000 sessions, beside its raw SQL."""
