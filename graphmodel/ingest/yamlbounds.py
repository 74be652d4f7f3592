"""Bounds of a composed YAML node graph, measured before any alias is expanded.

Why: `yaml.compose` keeps an alias as a second reference to the anchored node, so the composed
graph is linear in the text. Converting it to plain data copies every alias, and ten lines of
nested aliases ("billion laughs") expand to a billion nodes; deep nesting makes the recursive
converter overflow Python's stack. `measure` walks the graph once (each distinct node once,
iteratively, memoised), so a hostile document is refused in time and memory linear in its
text, before conversion allocates anything.

Examples
--------
>>> import yaml
>>> m = measure(yaml.compose("a: &x [1, 2]\\nb: [*x, *x]\\n"))
>>> (m.distinct, m.expanded, m.depth)
(7, 13, 4)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, SequenceNode

__all__ = ["MAX_ALIAS_EXPANSION", "MAX_DEPTH", "Measure", "measure"]

# A world file nests about six levels deep; a hundred leaves room for any honest document.
MAX_DEPTH = 100
# Nodes that aliases may add on top of the distinct ones (merge keys of shared defaults).
MAX_ALIAS_EXPANSION = 100_000


@dataclass(frozen=True, slots=True)
class Measure:
    """`distinct` nodes in the text, `expanded` nodes after copying every alias, `depth`."""

    distinct: int
    expanded: int
    depth: int

    def problem(self) -> str | None:
        """Why the document is refused, or None when it is within the bounds."""
        if self.depth > MAX_DEPTH:
            return f"the document nests {self.depth} levels deep (the limit is {MAX_DEPTH})"
        if self.expanded - self.distinct > MAX_ALIAS_EXPANSION:
            return (
                f"aliases expand {self.distinct} nodes to {self.expanded} (at most "
                f"{MAX_ALIAS_EXPANSION} nodes may come from aliases)"
            )
        return None


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def measure(
    root: Node, progress: Callable[[float], None] | None = None, length: int = 0
) -> Measure:
    """Distinct and expanded node counts and depth of `root` (a recursive alias counts once).

    `progress`, when given, is told how far through the text of `length` characters the
    walk is (it visits nodes in document order).
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    step = max(1, length // 500)
    next_at = step if progress is not None else length + 1  # text offset of the next report
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            if node.start_mark.index >= next_at and progress is not None:
                next_at = node.start_mark.index + step
                progress(node.start_mark.index / max(1, length))
            kids = [k for k in _children(node) if id(k) in size]
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            on_path.discard(key)
            # INVARIANT: every expansion the converter will do is already counted, so stop
            # as soon as the bound is broken instead of summing astronomically large numbers.
            if size[key] - len(size) > MAX_ALIAS_EXPANSION or depth[key] > MAX_DEPTH:
                return Measure(len(size), size[key], depth[key])
            continue
        if key in size or key in on_path:
            continue  # shared (counted once) or a cycle (the converter reports it)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in reversed(_children(node)))
    return Measure(len(size), size[id(root)], depth[id(root)])
