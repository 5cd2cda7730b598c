"""Program KPIs: SQL aggregates, small samples withheld, by program and across a tenant."""
