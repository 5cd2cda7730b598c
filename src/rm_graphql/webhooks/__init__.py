"""Outbound webhooks: tenant endpoints, signed deliveries retried by the job layer."""
