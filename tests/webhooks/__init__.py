"""Tests of the outbound webhooks room."""
