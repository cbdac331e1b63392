"""``python -m musicrec.cli``."""

from musicrec.cli.main import main

raise SystemExit(main())
