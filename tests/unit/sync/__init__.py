"""Unit tests of clickdrop_desktop.sync."""
