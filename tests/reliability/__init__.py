"""Reliability and security suite (issue 8): stateful, crash, fuzz, secrets, load tests."""
