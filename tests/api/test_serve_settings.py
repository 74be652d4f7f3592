"""`serve` settings: flag > TENANTGRAPH_* variable > config file > default; bad ones exit 2.

And the static-token expiry of `tenantgraph token create --expires`, as `token list` shows it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from api.auth import TokenStore
from api.oidc_config import add_oidc_arguments, oidc_config
from api.ops_flags import Operations, add_operations_arguments
from api.settings import config_file
from graphmodel.cli import main as cli_main
from graphmodel.errors import GraphModelError

CONFIG = """
[oidc]
tenants = ["file-tenant"]
audiences = ["api://from-file"]
roles = { "Graph.Readers" = "reader", "Graph.Admins" = "admin" }
clock_skew = 30

[metrics]
enabled = true

[log]
format = "text"
"""


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    add_operations_arguments(parser)
    add_oidc_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tenantgraph.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_the_file_alone(config: Path) -> None:
    args = parse("--config", str(config))
    cfg = oidc_config(args, {}, config_file(args, {}))
    assert cfg is not None
    assert cfg.issuers == ("https://login.microsoftonline.com/file-tenant/v2.0",)
    assert cfg.tenants == ("file-tenant",) and cfg.audiences == ("api://from-file",)
    assert cfg.roles == {"Graph.Readers": "reader", "Graph.Admins": "admin"}
    assert cfg.clock_skew_s == 30.0 and cfg.viewer_scopes == ("api://from-file/.default",)
    ops = Operations.resolve(args, {}, config_file(args, {}))
    assert ops.metrics and ops.log_format == "text"


def test_a_variable_beats_the_file_and_a_flag_beats_both(config: Path) -> None:
    env = {
        "TENANTGRAPH_CONFIG": str(config),
        "TENANTGRAPH_OIDC_AUDIENCES": "api://from-env, 1234",
        "TENANTGRAPH_OIDC_TENANTS": "env-tenant",
        "TENANTGRAPH_LOG_FORMAT": "json",
    }
    args = parse()
    cfg = oidc_config(args, env, config_file(args, env))
    assert cfg is not None and cfg.audiences == ("api://from-env", "1234")
    assert cfg.tenants == ("env-tenant",)
    assert cfg.roles == {"Graph.Readers": "reader", "Graph.Admins": "admin"}  # still the file's
    flags = parse("--oidc-audience", "api://from-flag", "--log-format", "text", "--no-metrics")
    cfg = oidc_config(flags, env, config_file(flags, env))
    assert cfg is not None and cfg.audiences == ("api://from-flag",)
    ops = Operations.resolve(flags, env, config_file(flags, env))
    assert ops.log_format == "text" and not ops.metrics


def test_no_issuer_means_static_tokens_only() -> None:
    assert oidc_config(parse(), {}, {}) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--oidc-tenant", "t"], "--oidc-audience"),
        (["--oidc-audience", "a"], "--oidc-tenant"),
        (["--oidc-issuer", "http://idp.example/t/v2.0", "--oidc-audience", "a"], "https://"),
        (
            ["--oidc-tenant", "t", "--oidc-audience", "a", "--oidc-jwks-url", "http://x/keys"],
            "https://",
        ),
    ],
)
def test_incomplete_sign_in_is_refused(argv: list[str], message: str) -> None:
    with pytest.raises(GraphModelError, match=message):
        oidc_config(parse(*argv), {}, {})


def test_bad_values_name_their_source(tmp_path: Path) -> None:
    with pytest.raises(GraphModelError, match=r"\$TENANTGRAPH_OIDC_ALGORITHMS"):
        oidc_config(parse("--oidc-tenant", "t"), {"TENANTGRAPH_OIDC_ALGORITHMS": "none"}, {})
    bad = tmp_path / "bad.toml"
    bad.write_text('[oidc]\nroles = ["x=superuser"]\n', encoding="utf-8")
    args = parse("--config", str(bad), "--oidc-tenant", "t", "--oidc-audience", "a")
    with pytest.raises(GraphModelError, match=r"\[oidc\] roles"):
        oidc_config(args, {}, config_file(args, {}))
    bad.write_text("[oidc\n", encoding="utf-8")
    with pytest.raises(GraphModelError, match="not valid TOML"):
        config_file(parse("--config", str(bad)), {})


def test_metrics_beyond_loopback_need_a_token() -> None:
    args = parse("--host", "0.0.0.0", "--metrics")
    with pytest.raises(GraphModelError, match="TENANTGRAPH_METRICS_TOKEN"):
        Operations.resolve(args, {}, {})
    ops = Operations.resolve(args, {"TENANTGRAPH_METRICS_TOKEN": "s3cret"}, {})
    assert ops.metrics_token({"TENANTGRAPH_METRICS_TOKEN": "s3cret"}) == "s3cret"


def test_serve_exits_2_on_bad_settings_before_opening_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "never.db"
    assert cli_main(["serve", "--db", str(db), "--oidc-tenant", "t"]) == 2
    assert "--oidc-audience" in capsys.readouterr().err
    assert cli_main(["serve", "--db", str(db), "--host", "0.0.0.0", "--metrics"]) == 2
    assert not db.exists()


def test_token_expiry_is_stored_and_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = str(tmp_path / "t.sqlite")
    assert (
        cli_main(["token", "--tokens", tokens, "create", "--role", "reader", "--expires", "90d"])
        == 0
    )
    assert (
        cli_main(
            ["token", "--tokens", tokens, "create", "--role", "admin", "--expires", "2001-01-01"]
        )
        == 0
    )
    assert cli_main(["token", "--tokens", tokens, "create", "--role", "auditor"]) == 0
    capsys.readouterr()
    assert cli_main(["token", "--tokens", tokens, "list", "--json"]) == 0
    listed = {t["role"]: t for t in json.loads(capsys.readouterr().out)}
    expires = datetime.fromisoformat(listed["READER"]["expiresAt"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
    assert not listed["READER"]["expired"]
    assert (
        listed["ADMIN"]["expiresAt"] == "2001-01-01T00:00:00+00:00" and listed["ADMIN"]["expired"]
    )
    assert listed["AUDITOR"]["expiresAt"] is None and not listed["AUDITOR"]["expired"]
    assert cli_main(["token", "--tokens", tokens, "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("admin" in line and "expired 2001-01-01" in line for line in lines), lines
    assert any("auditor" in line and " never " in line for line in lines), lines  # EXPIRES
    assert (
        cli_main(["token", "--tokens", tokens, "create", "--role", "reader", "--expires", "soon"])
        == 2
    )


def test_a_token_file_from_before_expiry_still_works(tmp_path: Path) -> None:
    """Token files written before `expires_at` existed get the column; their tokens never expire."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "CREATE TABLE tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, role TEXT NOT "
            "NULL, tenants TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL, "
            "revoked_at TEXT)"
        )
        conn.execute(
            "INSERT INTO tokens VALUES (?, ?, 'reader', '[]', 'old', '2024-01-01T00:00', NULL)",
            ("abcd", hashlib.sha256(b"tgk_old").hexdigest()),
        )
    found = TokenStore(path).lookup("tgk_old")
    assert found is not None and found.expires_at is None and not found.expired()
