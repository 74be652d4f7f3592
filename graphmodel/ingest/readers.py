"""The pieces of the world-file reader that other documents in the same language reuse.

Why a public module: audit's change sets (`whatif`) name tenants, users, partners and
cross-tenant settings exactly as world files do, so their reader builds on the same located
reads (`Collector`), name index and setting readers instead of a second copy. Everything else
in the `_`-modules of `ingest` stays private to the loader.
"""

from __future__ import annotations

from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import Kind, Named, NameIndex, TenantEntry, object_id
from graphmodel.ingest._targets import SECTIONS, Scope, read_setting
from graphmodel.ingest._xtap import CLOUD_ENDPOINTS, read_inbound_trust, read_partner

__all__ = [
    "CLOUD_ENDPOINTS",
    "SECTIONS",
    "Collector",
    "Kind",
    "NameIndex",
    "Named",
    "Scope",
    "TenantEntry",
    "object_id",
    "read_inbound_trust",
    "read_partner",
    "read_setting",
]
