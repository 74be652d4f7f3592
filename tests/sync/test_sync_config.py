"""The sync configuration file: references to credentials, never credentials, and no typos.

A file naming a secret value is refused with the reason and where; so is an unknown key, a
tenant with no credential or two, and a duplicate folder name. Paths are relative to the file;
a credential is read only when it is needed, from the variable or file the file names.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from graphmodel.cli import main
from graphmodel.errors import QueryError
from graphmodel.ingest.collector import AuthFailed
from graphmodel.service.sync_config import load_config, parse_duration

TENANT = """
[[tenants]]
name = "contoso"
tenant_id = "84841066-274d-4ec0-a5c1-276be684bdd3"
client_id = "00000000-0000-0000-0000-000000000001"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_reads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, f"""
out = "exports"
refresh = "2h"
[notify]
url = "https://hooks.example.com/tg"
secret_file = "secrets/hook"
file = "changes.jsonl"
{TENANT}client_secret_env = "CONTOSO_SECRET"
[[tenants]]
name = "fabrikam"
tenant_id = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"
client_id = "00000000-0000-0000-0000-000000000002"
certificate = "certs/fabrikam.pem"
graph_url = "https://graph.microsoft.us"
"""))
    assert cfg.out == tmp_path / "exports" and cfg.refresh == timedelta(hours=2)
    assert [t.name for t in cfg.tenants] == ["contoso", "fabrikam"]
    assert cfg.tenants[1].certificate == tmp_path / "certs" / "fabrikam.pem"
    assert cfg.tenants[1].graph_url == "https://graph.microsoft.us"
    assert cfg.notify.secret_file == tmp_path / "secrets" / "hook"
    assert cfg.notify.file == tmp_path / "changes.jsonl"


@pytest.mark.parametrize(("text", "message"), [
    (f"{TENANT}client_secret = \"hunter2\"\n",
     "tenants[0]: `client_secret` would put a secret in the file; name where it is instead (an "
     "environment variable `..._env` or a file `..._file`)"),
    (f"[notify]\nsecret = \"x\"\n{TENANT}client_secret_env = \"V\"\n",
     "notify: `secret` would put a secret in the file"),
    (f"{TENANT}client_secret_env = \"V\"\ngraph_uri = \"x\"\n",
     "tenants[0]: unknown key `graph_uri` (known: authority_host, ca_bundle, certificate"),
    (TENANT, "tenants[0]: give exactly one of `client_secret_env`, `client_secret_file` or "
     "`certificate`"),
    (f"{TENANT}client_secret_env = \"V\"\n{TENANT}client_secret_env = \"W\"\n",
     "tenants: two tenants have the same `name`"),
    ("out = \"x\"\n", "top level: `[[tenants]]` must list at least one tenant"),
    (f"refresh = \"soon\"\n{TENANT}client_secret_env = \"V\"\n",
     "`soon` is not a duration such as 30s, 15m, 6h or 1d"),
    ("[[tenants]\n", "is not valid TOML"),
])
def test_bad_configs_are_refused_with_the_place_and_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(QueryError) as err:
        load_config(write(tmp_path, text))
    assert message in str(err.value)


def test_credentials_are_read_from_where_the_file_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "contoso.secret"
    secret.write_text("from-a-file\n")
    cfg = load_config(write(tmp_path, f"{TENANT}client_secret_file = \"contoso.secret\"\n"))
    assert cfg.tenants[0].credential() == "from-a-file"
    env = load_config(write(tmp_path, f"{TENANT}client_secret_env = \"TG_CFG_SECRET\"\n"))
    monkeypatch.delenv("TG_CFG_SECRET", raising=False)
    with pytest.raises(AuthFailed) as err:
        env.tenants[0].credential()
    assert str(err.value) == ("environment variable `TG_CFG_SECRET` holding the client secret "
                              "of `contoso` is not set")
    monkeypatch.setenv("TG_CFG_SECRET", "from-the-environment")
    assert env.tenants[0].credential() == "from-the-environment"


def test_durations() -> None:
    assert parse_duration("15m") == timedelta(minutes=15)
    assert parse_duration("1d2h") == timedelta(days=1, hours=2)
    for bad in ("", "15", "m", "0s", "1x", "15m later"):
        with pytest.raises(QueryError):
            parse_duration(bad)


def test_the_cli_reports_a_bad_config_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, f"{TENANT}password = \"x\"\n")
    assert main(["sync", "--config", str(path), "--db", str(tmp_path / "tg.db")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: config `{path}`: tenants[0]: `password` would put a secret")
    assert main(["sync", "--db", str(tmp_path / "tg.db")]) == 2
    assert "give `--config FILE`, or `--tenant-id`, `--client-id`, `--out`" in \
        capsys.readouterr().err
