"""GraphQL read path benchmark: ours against PostGraphile v4 on the same PostgreSQL."""
