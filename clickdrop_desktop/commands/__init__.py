"""CLI subcommands: one module each, `run(args) -> int`, imported lazily by `cli.py`."""
