"""Repositories: one class per aggregate, bound to one connection (a unit of work)."""
