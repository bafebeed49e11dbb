"""Unit tests, mirroring the package tree (a package so that tests/unit/printing cannot shadow printing/)."""
