"""Entry point for `python -m bench.kpis`."""

from bench.kpis.run import main

raise SystemExit(main())
