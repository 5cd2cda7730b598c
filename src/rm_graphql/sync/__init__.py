"""HRIS sync: stored connections, the engine that applies connector records, runs and webhooks."""
