"""`python -m kbgen` runs the command line."""
from kbgen.cli import main

raise SystemExit(main())
