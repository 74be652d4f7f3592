"""The change language: one vocabulary for every change to a World (see `model`).

Mutations, what-if change sets, imports, the collector, the stores and the engine index all
speak it: `ChangeSet` (what changes), `apply_changes` (the World after it), `diff_worlds`
(the change between two Worlds) and `encode_changes` / `decode_changes` (as stored).
"""

from graphmodel.changes.apply import apply_changes, keyed, patched
from graphmodel.changes.codec import decode_changes, encode_changes
from graphmodel.changes.diff import diff_family, diff_sequence, diff_worlds, entity_patch
from graphmodel.changes.model import (
    END,
    FAMILIES,
    LIST_PATHS,
    START,
    Add,
    Change,
    ChangeSet,
    Family,
    Key,
    ListEdit,
    Patch,
    Place,
    Remove,
    Replace,
    SetWorld,
)

__all__ = [
    "END",
    "FAMILIES",
    "LIST_PATHS",
    "START",
    "Add",
    "Change",
    "ChangeSet",
    "Family",
    "Key",
    "ListEdit",
    "Patch",
    "Place",
    "Remove",
    "Replace",
    "SetWorld",
    "apply_changes",
    "decode_changes",
    "diff_family",
    "diff_sequence",
    "diff_worlds",
    "encode_changes",
    "entity_patch",
    "keyed",
    "patched",
]
