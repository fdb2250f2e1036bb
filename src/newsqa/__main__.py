"""``python -m newsqa``."""

from .cli import main

raise SystemExit(main())
