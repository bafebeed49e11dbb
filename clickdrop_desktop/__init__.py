"""Click & Drop Desktop: the core (no Qt widgets): API client, store, sync, sandbox, CLI."""

__version__ = "0.1.0"
