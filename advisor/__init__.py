"""Hybrid cloud cost and workload placement advisor."""

__version__ = "0.1.0"
