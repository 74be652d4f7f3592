"""tenantgraph's graph model: schema, ingest, policy semantics, engine and stores."""

__all__: list[str] = []
