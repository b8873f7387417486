"""Benchmarks of the door and the registration rush (see bench/README.md). Never in production URLs."""
