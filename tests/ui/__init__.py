"""pytest-qt tests of the desktop app (ui/)."""
