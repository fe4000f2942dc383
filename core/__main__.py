"""``python -m core``: the headless command line."""

from core.cli import main

raise SystemExit(main())
