"""Allow `python -m clickdrop_desktop`."""

from clickdrop_desktop.cli import main

raise SystemExit(main())
