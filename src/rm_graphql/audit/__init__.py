"""The audit log: every mutation, with actor, tenant, action, target, time and request id."""
