"""Benchmarks and world generators for tenantgraph (issue 8); not part of the default test run.

`python -m bench` (or `make bench`) generates seeded worlds at scales S, M and L, measures the
engine against a naive networkx baseline in the same run, cross-checks their answers, and writes
`bench/RESULTS.md` plus PNG charts. See `bench/__main__.py` for the options.
"""
