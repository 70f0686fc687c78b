"""Benchmarks behind `make bench`: each prints a table and compares against its target."""
