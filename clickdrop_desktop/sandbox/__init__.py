"""A Click & Drop-compatible sandbox server for tests, benchmarks and demo mode."""
