"""`serve` settings from a flag, an environment variable or a config file, in that order.

Why: the store options already work this way (`graphmodel.cli.common`: a flag wins over its
`TENANTGRAPH_*` variable, which wins over the default); sign-in, metrics and log settings are
many and mostly fixed per deployment, so they also may come from one TOML file (`--config
FILE` or `$TENANTGRAPH_CONFIG`) below the variables: flag > variable > file > default. A list
setting is a repeated flag, a comma-separated variable, or a TOML array.

Examples
--------
>>> import argparse
>>> s = Setting("oidc_audience", "TENANTGRAPH_OIDC_AUDIENCES", ("oidc", "audiences"), many=True)
>>> args = argparse.Namespace(oidc_audience=None)
>>> resolve([s], args, {"TENANTGRAPH_OIDC_AUDIENCES": "api://a, b"}, {})
{'oidc_audience': ['api://a', 'b']}
>>> resolve([s], args, {}, {"oidc": {"audiences": ["c"]}})
{'oidc_audience': ['c']}
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphmodel.errors import GraphModelError

__all__ = ["CONFIG_ENV", "Setting", "add_config_argument", "config_file", "resolve"]

CONFIG_ENV = "TENANTGRAPH_CONFIG"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting: its argparse dest, its variable, its `(section, key)` in the file."""

    dest: str
    env: str
    key: tuple[str, str]
    parse: Callable[[str], Any] = str
    many: bool = False
    default: Any = None

    def from_text(self, text: str, where: str) -> Any:
        try:
            if self.many:
                return [self.parse(part.strip()) for part in text.split(",") if part.strip()]
            return self.parse(text.strip())
        except (ValueError, argparse.ArgumentTypeError) as exc:
            raise GraphModelError(f"{where}: {exc}") from exc

    def from_file(self, value: object, where: str) -> Any:
        if isinstance(value, bool):  # TOML true/false
            value = str(value).lower()
        if isinstance(value, str | int | float):
            return self.from_text(str(value), where)
        try:
            if self.many and isinstance(value, list):
                return [self.parse(str(v)) for v in value]
            if self.many and isinstance(value, dict):  # a table `NAME = "value"`: `NAME=value`
                return [self.parse(f"{k}={v}") for k, v in value.items()]
        except (ValueError, argparse.ArgumentTypeError) as exc:
            raise GraphModelError(f"{where}: {exc}") from exc
        kind = "a list" if self.many else "a single value"
        raise GraphModelError(f"{where}: expected {kind}, not {type(value).__name__}")


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help=f"TOML file with [oidc], [metrics] and [log] settings [${CONFIG_ENV}]; "
        "flags and TENANTGRAPH_* variables win over it",
    )


def config_file(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The parsed config file named by `--config` or `$TENANTGRAPH_CONFIG` ({} for none)."""
    environ = os.environ if environ is None else environ
    name = getattr(args, "config", None) or environ.get(CONFIG_ENV)
    if not name:
        return {}
    try:
        return tomllib.loads(Path(name).read_text("utf-8"))
    except OSError as exc:
        raise GraphModelError(f"cannot read the config file `{name}`: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise GraphModelError(f"config file `{name}` is not valid TOML: {exc}") from exc


def resolve(
    settings: Sequence[Setting],
    args: argparse.Namespace,
    environ: Mapping[str, str],
    file: Mapping[str, Any],
) -> dict[str, Any]:
    """Each setting's value by dest: the flag, else the variable, else the file, else default."""
    values: dict[str, Any] = {}
    for s in settings:
        flag = getattr(args, s.dest, None)
        section, key = s.key
        table = file.get(section)
        if flag is not None and flag != []:
            values[s.dest] = flag
        elif environ.get(s.env):
            values[s.dest] = s.from_text(environ[s.env], f"${s.env}")
        elif isinstance(table, dict) and key in table:
            values[s.dest] = s.from_file(table[key], f"[{section}] {key} in the config file")
        else:
            values[s.dest] = list(s.default or ()) if s.many else s.default
    return values
