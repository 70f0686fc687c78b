"""`python -m bot` is the `coach` command."""

from bot.cli import main

raise SystemExit(main())
