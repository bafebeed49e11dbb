"""Coverage-guided fuzzing harnesses (atheris); run by hand or in CI, not by pytest."""
