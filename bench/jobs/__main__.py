"""Entry point for `python -m bench.jobs`."""

from bench.jobs.run import main

raise SystemExit(main())
