"""Employees (synced from the HRIS) and the tenant's topic taxonomy."""
