"""YAML text → plain Python data plus the line of every key and sequence item.

PyYAML's loaders give data without positions and silently keep the last of two equal keys, so a
world file's problems could not be reported where they are. This module composes the node tree
(which keeps marks) and converts it itself:

- every mapping key and sequence item gets its 1-based line in `YamlDocument.lines`, keyed by
  its path (`("world", "tenants", 0, "users", 3)`); `line_of` finds the nearest located
  ancestor of any path;
- a duplicate key is an `Issue` (the first value is kept), as are syntax errors (located at
  the problem mark), unknown tags, complex keys and recursive aliases; nothing raises;
- scalars are resolved with YAML 1.1 rules (SafeLoader's), so unquoted `2026-03-01T00:00:00Z`
  is a `datetime` and `no` is `False`; mapping keys keep their source text (a key is always a
  string, so a partner key `no:` stays `"no"`);
- a document nested deeper than `yamlbounds.MAX_DEPTH` or whose aliases would add more than
  `yamlbounds.MAX_ALIAS_EXPANSION` nodes is refused before any alias is expanded;
- given a `progress` callback (`Share`), parsing tells how far it is: while the composer
  reads the text, then while the tree is converted (a file of 100 MB takes a minute).

Examples
--------
>>> doc = parse_yaml("a:\\n  - x\\n  - {b: 1}\\n")
>>> doc.data
{'a': ['x', {'b': 1}]}
>>> doc.lines[("a", 1, "b")], doc.issues
(3, ())
>>> parse_yaml("a: 1\\na: 2\\n").issues[0].line
2
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from graphmodel.errors import Issue
from graphmodel.ingest.yamlbounds import measure

__all__ = ["Loc", "Share", "YamlDocument", "line_of", "parse_yaml", "scaled"]

Loc = tuple[str | int, ...]
Share = Callable[[float], None]
"""Told the share (0 to 1) of a file's loading done so far, as it grows."""

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_TYPES = (str, bool, int, float, datetime, date, type(None))
# A backstop only: `yamlbounds.measure` refuses alias bombs and deep nesting before conversion.
_MAX_NODES = 2_000_000

# Where `parse_yaml` spends its time (measured with libyaml on generated worlds of 10,000 and
# 100,000 users): composing the node tree while the text is read, measuring it, converting it.
_COMPOSED, _MEASURED = 0.55, 0.82
_PROGRESS_STEPS = 500  # at most this many progress calls while converting

# NOTE(ingest): libyaml's composer is several times faster and keeps the same marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed document: `data` is None when the text is empty or could not be parsed."""

    data: object
    lines: dict[Loc, int]
    issues: tuple[Issue, ...]


def line_of(lines: Mapping[Loc, int], loc: Loc) -> int | None:
    """The line of `loc`, or of its nearest ancestor that has one (None if none has).

    Examples
    --------
    >>> line_of({("a",): 2, ("a", 0): 3}, ("a", 0, "b", "c"))
    3
    >>> line_of({}, ("a",)) is None
    True
    """
    for end in range(len(loc), -1, -1):
        found = lines.get(loc[:end])
        if found is not None:
            return found
    return None


def scaled(progress: Share | None, start: float, end: float) -> Share | None:
    """`progress` for one stage of a longer job: its 0..1 becomes `start`..`end`.

    Examples
    --------
    >>> seen = []
    >>> scaled(seen.append, 0.5, 1.0)(0.5)
    >>> seen
    [0.75]
    """
    if progress is None:
        return None
    outer = progress
    return lambda share: outer(start + (end - start) * min(1.0, max(0.0, share)))


class _ReadCounter:
    """The text as a stream, telling `progress` how much of it the composer has read."""

    def __init__(self, text: str, progress: Share) -> None:
        self._text = text
        self._at = 0
        self._progress = progress

    def read(self, size: int = -1) -> str:
        end = len(self._text) if size < 0 else min(len(self._text), self._at + size)
        chunk = self._text[self._at : end]
        self._at = end
        self._progress(end / max(1, len(self._text)))
        return chunk


def parse_yaml(
    text: str, *, file: str = "<input>", progress: Share | None = None
) -> YamlDocument:
    """Parse one YAML document into plain data, its location table and every problem found."""
    try:
        if progress is None:
            root = yaml.compose(text, Loader=_Loader)
        else:
            reading = _ReadCounter(text, lambda share: progress(_COMPOSED * share))
            root = yaml.compose(reading, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return YamlDocument(None, {}, (_syntax_issue(exc, file),))
    except yaml.reader.ReaderError as exc:  # a control character: located by offset, no mark
        line = text.count("\n", 0, exc.position) + 1
        code = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
        )
        msg = f"invalid yaml: character `#x{code:04x}` is not allowed: {exc.reason}"
        issue = Issue(code="yaml-syntax", loc=(), msg=msg, file=file, line=line)
        return YamlDocument(None, {}, (issue,))
    except yaml.YAMLError as exc:  # pragma: no cover - every other error carries a mark
        msg = f"invalid yaml: {_lower(str(exc))}"
        return YamlDocument(None, {}, (Issue(code="yaml-syntax", loc=(), msg=msg, file=file),))
    if root is None:
        return YamlDocument(None, {}, ())
    problem = measure(root, scaled(progress, _COMPOSED, _MEASURED), len(text)).problem()
    if problem is not None:
        issue = Issue(code="yaml-unsupported", loc=(), msg=problem, file=file, line=1)
        return YamlDocument(None, {}, (issue,))
    converter = _Converter(file, scaled(progress, _MEASURED, 1.0), len(text))
    try:
        data = converter.convert(root, ())
    except _TooLarge:
        issue = Issue(
            code="yaml-unsupported",
            loc=(),
            msg=f"the document expands to more than {_MAX_NODES} nodes through aliases",
            file=file,
            line=root.start_mark.line + 1,
        )
        return YamlDocument(None, converter.lines, (issue,))
    return YamlDocument(data, converter.lines, tuple(converter.issues))


def _lower(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].lower() + text[1:]


def _syntax_issue(exc: yaml.MarkedYAMLError, file: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    parts = [p for p in (exc.problem, exc.context) if p]
    detail = "; ".join(_lower(p) for p in parts) or "malformed document"
    return Issue(
        code="yaml-syntax",
        loc=(),
        msg=f"invalid yaml: {detail}",
        file=file,
        line=mark.line + 1 if mark is not None else None,
        ctx={"column": str(mark.column + 1)} if mark is not None else {},
    )


class _TooLarge(Exception):
    pass


class _Converter:
    """Node tree → plain data, recording lines and problems as it goes."""

    def __init__(self, file: str, progress: Share | None = None, length: int = 0) -> None:
        self.file = file
        self.lines: dict[Loc, int] = {}
        self.issues: list[Issue] = []
        self._scalars = SafeConstructor()
        self._budget = _MAX_NODES
        self._active: set[int] = set()  # ids of the collections being converted (alias cycles)
        self._progress = progress
        self._length = max(1, length)
        self._step = max(1, length // _PROGRESS_STEPS)
        self._next = self._step  # the text offset of the next progress call

    def issue(self, code: str, loc: Loc, node: Node, msg: str) -> None:
        line = node.start_mark.line + 1
        self.issues.append(Issue(code=code, loc=loc, msg=msg, file=self.file, line=line))

    def convert(self, node: Node, loc: Loc) -> object:
        self._budget -= 1
        if self._budget < 0:
            raise _TooLarge
        if not loc:
            self.lines[loc] = node.start_mark.line + 1
        if isinstance(node, ScalarNode):
            return self._scalar(node, loc)
        if id(node) in self._active:
            self.issue("yaml-unsupported", loc, node, "an alias refers to a node that contains it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self._sequence(node, loc)
            if isinstance(node, MappingNode):
                return self._mapping(node, loc)
        finally:
            self._active.discard(id(node))
        return None  # pragma: no cover - the composer makes only the three node kinds

    def _scalar(self, node: ScalarNode, loc: Loc) -> object:
        if node.tag == _STR_TAG:  # most scalars: skip the constructor's dispatch
            return str(node.value)
        try:
            value: object = self._scalars.construct_object(node)
        except ConstructorError:
            self.issue("yaml-unsupported", loc, node, f"unsupported yaml tag `{node.tag}`")
            return None
        except ValueError:  # e.g. a timestamp-shaped `2026-13-40`
            self.issue("invalid-value", loc, node, f"`{node.value}` is not a valid date or time")
            return None
        if not isinstance(value, _SCALAR_TYPES):
            self.issue("yaml-unsupported", loc, node, f"unsupported yaml tag `{node.tag}`")
            return None
        return value

    def _check_tag(self, node: Node, loc: Loc, expected: str) -> None:
        if node.tag != expected:
            self.issue("yaml-unsupported", loc, node, f"unsupported yaml tag `{node.tag}`")

    def _sequence(self, node: SequenceNode, loc: Loc) -> list[object]:
        self._check_tag(node, loc, _SEQ_TAG)
        out: list[object] = []
        for i, item in enumerate(node.value):
            self.lines[(*loc, i)] = item.start_mark.line + 1
            if self._progress is not None and item.start_mark.index >= self._next:
                self._next = item.start_mark.index + self._step
                self._progress(item.start_mark.index / self._length)
            out.append(self.convert(item, (*loc, i)))
        return out

    def _mapping(self, node: MappingNode, loc: Loc) -> dict[str, object]:
        self._check_tag(node, loc, _MAP_TAG)
        out: dict[str, object] = {}
        regular: list[tuple[ScalarNode, Node]] = []
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.issue("yaml-unsupported", loc, key, "a mapping key must be a plain value")
            elif key.tag == _MERGE_TAG:
                # merged keys come first and explicit keys override them, as in PyYAML
                self._merge(out, value, loc)
            else:
                regular.append((key, value))
        explicit: dict[str, int] = {}
        for key, value in regular:
            name = str(key.value)
            line = key.start_mark.line + 1
            if name in explicit:
                self.issue(
                    "duplicate-key",
                    (*loc, name),
                    key,
                    f"duplicate key `{name}` (first at line {explicit[name]})",
                )
                continue
            explicit[name] = line
            self.lines[(*loc, name)] = line
            out[name] = self.convert(value, (*loc, name))
        return out

    def _merge(self, out: dict[str, object], value: Node, loc: Loc) -> None:
        sources = value.value if isinstance(value, SequenceNode) else [value]
        for source in sources:
            if not isinstance(source, MappingNode):
                self.issue("yaml-unsupported", loc, source, "a merge key `<<` needs a mapping")
                continue
            merged = self.convert(source, loc)
            if isinstance(merged, dict):
                for k, v in merged.items():
                    out.setdefault(k, v)
