"""Entry point for `python -m bench.sync`."""

from bench.sync.run import main

raise SystemExit(main())
