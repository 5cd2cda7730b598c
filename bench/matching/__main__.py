"""Entry point for `python -m bench.matching`."""

from bench.matching.run import main

raise SystemExit(main())
