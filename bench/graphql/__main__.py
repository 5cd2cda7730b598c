"""Entry point for `python -m bench.graphql`."""

from bench.graphql.run import main

raise SystemExit(main())
