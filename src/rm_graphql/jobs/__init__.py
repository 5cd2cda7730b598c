"""The job layer: Procrastinate tasks for runs, webhook deliveries and periodic checks."""
