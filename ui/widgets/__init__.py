"""One widget per file; the main window only wires them together."""
