"""Storage-error mapping for the sqlite files the API keeps itself (tokens, the mutation log).

Why re-exported here: `api/` reaches graphmodel through the service layer only, and its own
sqlite files must fail with the same coded errors as the store (`store-full`,
`store-unavailable`), from the one mapping in `graphmodel.stores.sqlite_errors`.
"""

from graphmodel.stores.sqlite_errors import map_sqlite_errors, sqlite_error

__all__ = ["map_sqlite_errors", "sqlite_error"]
