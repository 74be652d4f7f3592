"""Import layering guard: imports only go down (see shared spec design.md, style.md P1).

Walks every ``.py`` under ``graphmodel/`` and ``api/`` with :mod:`ast` (nothing is imported or
executed) and reports each import that breaks one of these rules:

* graphmodel layers, lowest first: ``schema`` -> ``changes`` -> ``ingest`` -> ``policy`` ->
  ``engine`` -> ``stores`` -> ``export`` -> ``audit`` -> ``service`` -> ``cli``. A module may
  import its own layer and the layers below it. ``graphmodel.errors``, ``graphmodel.bulk`` and
  ``graphmodel.timings`` are importable by everyone and import nothing else from graphmodel.
  ``graphmodel.stores.base`` (the store protocols) sits between ``ingest`` and ``policy``, so
  ``policy`` and ``engine`` may use the protocols but never a concrete backend
  (``graphmodel.stores``, ``.memory``, ``.neo4j``). The ``graphmodel`` package root and
  ``graphmodel.__main__`` sit on top, with ``cli``.
* nothing under graphmodel imports ``api``; ``api`` imports from graphmodel only
  ``service``, ``schema``, ``errors``, ``export``, ``timings`` (job durations for metrics) and
  ``cli.common`` (store options of ``tenantgraph serve``); it reaches ``ingest`` only through
  the service.
* no package imports another package's private modules (a ``_name`` segment) or private
  helpers (``from x import _name``): what another package needs gets a public home
  (``graphmodel.ingest.readers`` for the change-set reader of ``audit``).
* only ``graphmodel/stores/neo4j*`` imports the ``neo4j`` driver; only
  ``graphmodel/stores/memory*``, ``graphmodel/engine``, ``graphmodel/policy`` and
  ``graphmodel/export`` import ``networkx``.

Type-only imports (under ``if TYPE_CHECKING:``) count too: they couple the layers all the same.
To add a new graphmodel subpackage or top-level module, give it a place in ``LAYERS``.
Packages that do not exist yet are checked vacuously; a missing ``graphmodel/`` is a failure.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Rank of each graphmodel layer: a module may import modules of equal or lower rank.
LAYERS: dict[str, float] = {
    "errors": -1,
    "bulk": -1,  # the cyclic-GC pause of bulk builds (schema decoding, engine index)
    "timings": -1,  # durations of long jobs, for the API's metrics to observe
    "schema": 0,
    "changes": 0.5,  # the change language over schema entities (graphmodel.changes)
    "ingest": 1,
    "stores.base": 1.5,
    "policy": 2,
    "engine": 3,
    "stores": 4,
    "export": 5,
    "audit": 6,
    "service": 7,
    "cli": 8,
    "__main__": 8,
    "": 9,  # the graphmodel package root (its __init__ may re-export from any layer)
}
# `cli.common` gives `tenantgraph serve` the shared store options.
API_MAY_IMPORT = ("errors", "schema", "service", "export", "cli.common", "timings")
# Third-party package -> graphmodel module prefixes allowed to import it (api never may).
RESTRICTED_THIRD_PARTY: dict[str, tuple[str, ...]] = {
    "neo4j": ("stores.neo4j",),
    "networkx": ("stores.memory", "engine", "policy", "export"),
}
BEYOND_TOP = "<relative import beyond the top-level package>"


@dataclass(frozen=True)
class Violation:
    path: str  # relative to the scanned root, with forward slashes
    line: int
    importer: str
    target: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.importer} imports {self.target}: {self.rule}"


def _under(name: str, prefix: str) -> bool:
    """True if dotted `name` is `prefix` or a module inside it."""
    return name == prefix or name.startswith(prefix + ".")


def _under_glob(name: str, prefix: str) -> bool:
    """Like `_under`, but `prefix` also matches a longer last segment ('stores.neo4j_x')."""
    head = name.split(".")[: prefix.count(".") + 1]
    return ".".join(head).startswith(prefix)


def layer_of(module: str) -> str | None:
    """Layer key of a graphmodel module, or None if it has no place in `LAYERS`."""
    if module == "graphmodel":
        return ""
    rel = module.removeprefix("graphmodel.")
    if _under(rel, "stores.base"):
        return "stores.base"
    top = rel.split(".")[0]
    return top if top in LAYERS else None


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    """Dotted module name of `path` (a file under `root`) and whether it is a package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts.pop()
    return ".".join(parts), is_pkg


def iter_imports(
    tree: ast.AST, module: str, is_pkg: bool, known: frozenset[str]
) -> Iterator[tuple[int, str]]:
    """(line, absolute dotted target) for every import in `tree`.

    Relative imports are resolved against the module's package. In ``from X import a``,
    the target is ``X.a`` when that is a module in `known`, otherwise ``X``. Calls to
    ``importlib.import_module``/``__import__`` with a constant absolute name count too.
    """
    package = module if is_pkg else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                up = node.level - 1
                if up >= len(base_parts):
                    yield node.lineno, BEYOND_TOP
                    continue
                base = ".".join(base_parts[: len(base_parts) - up])
                source = f"{base}.{node.module}" if node.module and base else (node.module or base)
            else:
                source = node.module or ""
            for alias in node.names:
                candidate = f"{source}.{alias.name}"
                yield node.lineno, candidate if candidate in known else source
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            arg = node.args[0]
            if (
                name in {"import_module", "__import__"}
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and not arg.value.startswith(".")
            ):
                yield node.lineno, arg.value


def package_of(module: str) -> str:
    """The package that owns `module`: `api`, or `graphmodel.<subpackage>` (or the root)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "graphmodel" and len(parts) > 1 else parts[0]


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def check_private(importer: str, target: str, names: tuple[str, ...] = ()) -> str | None:
    """A rule if `importer` reaches into another package's private module or helper."""
    if not target.startswith(("graphmodel.", "api.")) or package_of(target) == package_of(importer):
        return None
    hidden = [p for p in target.split(".") if is_private(p)]
    if hidden:
        return f"private module `{hidden[0]}` of {package_of(target)}: give it a public home"
    helpers = [n for n in names if is_private(n)]
    if helpers:
        return f"private helper `{helpers[0]}` of {package_of(target)}: give it a public home"
    return None


def private_imports(
    tree: ast.AST, module: str, known: frozenset[str]
) -> Iterator[tuple[int, str, str]]:
    """(line, target, rule) for each import of another package's private module or helper."""
    seen = set()
    for line, target in iter_imports(tree, module, False, known):
        rule = check_private(module, target)
        if rule and (line, target) not in seen:
            seen.add((line, target))
            yield line, target, rule
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            rule = check_private(module, node.module + ".x", tuple(a.name for a in node.names))
            if rule and "helper" in rule:
                yield node.lineno, node.module, rule


def check_import(importer: str, target: str) -> str | None:
    """The broken rule's description if `importer` may not import `target`, else None."""
    top = target.split(".")[0]
    if importer == "api" or importer.startswith("api."):
        if top in RESTRICTED_THIRD_PARTY:
            return f"api never imports {top} (it goes through graphmodel.service)"
        if top == "graphmodel":
            rel = target.removeprefix("graphmodel").lstrip(".")
            if not any(_under(rel, ok) for ok in API_MAY_IMPORT):
                allowed = ", ".join(f"graphmodel.{m}" for m in API_MAY_IMPORT)
                return f"api may import only {allowed}"
        return None

    rel = importer.removeprefix("graphmodel").lstrip(".")
    if top in RESTRICTED_THIRD_PARTY:
        allowed_in = RESTRICTED_THIRD_PARTY[top]
        if not any(_under_glob(rel, prefix) for prefix in allowed_in):
            where = ", ".join(f"graphmodel/{p.replace('.', '/')}*" for p in allowed_in)
            return f"only {where} may import {top}"
        return None
    if top == "api":
        return "nothing under graphmodel imports api"
    if top != "graphmodel":
        return None
    src, dst = layer_of(importer), layer_of(target)
    if src is None or dst is None:
        return None  # unclassified modules are reported by test_every_module_has_a_layer
    if dst == "errors" or LAYERS[dst] <= LAYERS[src]:
        return None
    if dst == "stores" and src in ("policy", "engine"):
        return f"{src} reads through the store protocols: import graphmodel.stores.base only"
    return f"upward import: layer {src or 'graphmodel'} is below layer {dst or 'graphmodel'}"


def _python_files(root: Path) -> list[Path]:
    return sorted(
        p
        for top in ("graphmodel", "api")
        if (root / top).is_dir()
        for p in (root / top).rglob("*.py")
        if "__pycache__" not in p.parts
    )


def check_tree(root: Path) -> list[Violation]:
    """Every layering violation in the graphmodel/ and api/ packages under `root`."""
    files = _python_files(root)
    names = {p: module_name(p, root) for p in files}
    known = frozenset(name for name, _ in names.values())
    found: list[Violation] = []
    for path in files:
        module, is_pkg = names[path]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel_path = path.relative_to(root).as_posix()
        for line, target in iter_imports(tree, module, is_pkg, known):
            rule = (
                "relative import goes above the top-level package"
                if target == BEYOND_TOP
                else check_import(module, target)
            )
            if rule:
                found.append(Violation(rel_path, line, module, target, rule))
        for line, target, rule in private_imports(tree, module, known):
            found.append(Violation(rel_path, line, module, target, rule))
    return found


def unclassified_modules(root: Path) -> list[str]:
    """graphmodel modules that have no layer in `LAYERS`."""
    names = (module_name(p, root)[0] for p in _python_files(root))
    return sorted(n for n in names if n.startswith("graphmodel") and layer_of(n) is None)


# ---------------------------------------------------------------------- the guard


def test_imports_only_go_down() -> None:
    assert (REPO / "graphmodel").is_dir(), f"no graphmodel/ package under {REPO}"
    violations = check_tree(REPO)
    assert not violations, "layering violations:\n" + "\n".join(map(str, violations))


def test_every_module_has_a_layer() -> None:
    assert (REPO / "graphmodel").is_dir(), f"no graphmodel/ package under {REPO}"
    missing = unclassified_modules(REPO)
    assert not missing, (
        f"graphmodel modules with no layer (add them to LAYERS in {Path(__file__).name}): "
        + ", ".join(missing)
    )


# ---------------------------------------------------------------------- the guard's own tests


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        # every directory on the way is a package
        for parent in path.relative_to(root).parents:
            if parent != Path("."):
                (root / parent / "__init__.py").touch()


def test_checker_reports_bad_imports(tmp_path: Path) -> None:
    _write_tree(
        tmp_path,
        {
            "graphmodel/errors.py": "",
            "graphmodel/schema/kinds.py": "from ..errors import GraphModelError\n",
            "graphmodel/schema/ids.py": "from ..engine import verdict\n",  # upward, relative
            "graphmodel/engine/verdict.py": "from graphmodel.schema import kinds\n",
            "graphmodel/policy/xtap.py": (
                "from graphmodel.stores.base import GraphReader\n"
                "import networkx as nx\n"
                "from graphmodel.stores.memory import MemoryStore\n"  # concrete backend
                "from graphmodel.stores import GraphStore\n"  # the stores package itself
            ),
            "graphmodel/stores/base.py": "from graphmodel.schema.ids import TenantId\n",
            "graphmodel/stores/memory.py": "import networkx\nfrom . import base\n",
            "graphmodel/stores/neo4j/driver.py": "import neo4j\nfrom neo4j.exceptions import X\n",
            "graphmodel/ingest/world.py": (
                "import neo4j\n"  # driver outside stores/neo4j
                "from . import yaml_loader\n"
                "def f():\n    import api.app\n"  # graphmodel never imports api
            ),
            "graphmodel/ingest/yaml_loader.py": "",
            "graphmodel/service.py": (
                "from graphmodel.stores import memory\n"
                "import importlib\nimportlib.import_module('graphmodel.cli')\n"  # upward
            ),
            "graphmodel/cli.py": "from graphmodel.service import GraphService\n",
            "graphmodel/export/graphml.py": "import networkx\nfrom ..stores.base import X\n",
            "api/app.py": (
                "from graphmodel.service import GraphService\n"
                "from graphmodel.errors import NodeNotFound\n"
                "from graphmodel.schema.ids import TenantId\n"
                "from graphmodel import export\n"
                "from graphmodel.engine.paths import find_paths\n"  # api -> engine
                "import networkx\n"  # api -> networkx
                "from .types import verdict\n"
            ),
            "api/types/verdict.py": "from ..app import app\n",
        },
    )
    found = {(v.path, v.target) for v in check_tree(tmp_path)}
    assert found == {
        ("graphmodel/schema/ids.py", "graphmodel.engine.verdict"),
        ("graphmodel/policy/xtap.py", "graphmodel.stores.memory"),
        ("graphmodel/policy/xtap.py", "graphmodel.stores"),
        ("graphmodel/ingest/world.py", "neo4j"),
        ("graphmodel/ingest/world.py", "api.app"),
        ("graphmodel/service.py", "graphmodel.cli"),
        ("api/app.py", "graphmodel.engine.paths"),
        ("api/app.py", "networkx"),
    }
    assert unclassified_modules(tmp_path) == []


def test_checker_reports_unclassified_modules(tmp_path: Path) -> None:
    _write_tree(tmp_path, {"graphmodel/utils/misc.py": "", "graphmodel/schema/kinds.py": ""})
    assert unclassified_modules(tmp_path) == ["graphmodel.utils", "graphmodel.utils.misc"]


@pytest.mark.parametrize(
    ("module", "is_pkg", "source", "expected"),
    [
        ("graphmodel.policy.xtap", False, "from . import apps", "graphmodel.policy"),
        ("graphmodel.policy", True, "from .xtap import f", "graphmodel.policy.xtap"),
        ("graphmodel.policy", True, "from . import xtap", "graphmodel.policy.xtap"),
        ("graphmodel.policy.xtap", False, "from ..schema import ids", "graphmodel.schema.ids"),
        ("graphmodel.policy.xtap", False, "from ..schema.ids import T", "graphmodel.schema.ids"),
        ("graphmodel.policy.xtap", False, "from .. import errors", "graphmodel.errors"),
        ("graphmodel.policy.xtap", False, "from .. import x", "graphmodel"),
        ("graphmodel.policy.xtap", False, "from ... import x", BEYOND_TOP),
        ("graphmodel", True, "from .schema import ids", "graphmodel.schema.ids"),
        ("graphmodel", True, "from .. import x", BEYOND_TOP),
        ("graphmodel.cli", False, "import graphmodel.stores as m", "graphmodel.stores"),
    ],
)
def test_relative_imports_resolve_against_the_package(
    module: str, is_pkg: bool, source: str, expected: str
) -> None:
    known = frozenset({"graphmodel.schema.ids", "graphmodel.policy.xtap", "graphmodel.errors"})
    assert [t for _, t in iter_imports(ast.parse(source), module, is_pkg, known)] == [expected]


def test_checker_reports_private_imports_across_packages(tmp_path: Path) -> None:
    _write_tree(
        tmp_path,
        {
            "graphmodel/errors.py": "",
            "graphmodel/ingest/_fields.py": "",
            "graphmodel/ingest/world.py": "from graphmodel.ingest._fields import Collector\n",
            "graphmodel/audit/changes.py": (
                "from graphmodel.ingest._fields import Collector\n"  # private module
                "from graphmodel.ingest import _helper\n"  # private helper
                "from graphmodel.ingest import world\n"  # public: fine
            ),
            "api/cli.py": "from graphmodel.ingest import world\n",  # only through the service
        },
    )
    found = {(v.path, v.target, v.rule.split()[0]) for v in check_tree(tmp_path)}
    assert found == {
        ("graphmodel/audit/changes.py", "graphmodel.ingest._fields", "private"),
        ("graphmodel/audit/changes.py", "graphmodel.ingest", "private"),
        ("api/cli.py", "graphmodel.ingest.world", "api"),
    }
