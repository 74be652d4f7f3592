"""The facade the API and the CLI use: a store wired to the reasoning engine.

Reads go through a per-snapshot `WorldIndex`, built once and cached by snapshot id, so a write
(which creates a new snapshot) can never leave a stale answer behind. Writes derive the trust
edges and store snapshot + edges atomically.
"""

from graphmodel.service.facade import GraphService
from graphmodel.service.paging import Page

__all__ = ["GraphService", "Page"]
