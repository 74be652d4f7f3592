"""Microsoft Graph export folders <-> the typed World.

`import_export` reads one folder per tenant of raw Graph JSON responses (layout in `layout.py`
and `docs/export-layout.md`) into a World, linking tenants to each other; `export_world` writes a
World back in the same layout, so a world file can be turned into what the live collector would
have fetched, and the two paths can be checked against each other.
"""

from graphmodel.ingest.graph_export.exporter import export_world
from graphmodel.ingest.graph_export.importer import import_export, tenant_folders
from graphmodel.ingest.graph_export.reader import Progress, stderr_progress

__all__ = ["Progress", "export_world", "import_export", "stderr_progress", "tenant_folders"]
