"""Thin adapters between the core/printing services and the widgets (Qt signals, table rows)."""
