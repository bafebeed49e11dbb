"""Unit tests of the sandbox server parts."""
