"""Microsoft Graph commands: `import` export folders into the store, `collect` them live.

`import DIR...` reads one folder per tenant (or a folder of them) in the layout of
`docs/export-layout.md`, prints every warning with its file and JSON path, and stores the World
as a new snapshot. A file it cannot read makes it exit 2 and store nothing, unless
`--allow-partial`: then what was left out is named in the snapshot's source.

`collect` signs in as an app registration and writes that layout for one tenant, so `collect`
then `import` is the way from a real tenant to answers. `collect` keeps a delta state in the
folder: run again, it asks Graph only for changes (`--full` reads all); `tenantgraph sync` does
collect and import in one command (`sync_commands`).
"""

from __future__ import annotations

import argparse
import os
import ssl
import sys
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from graphmodel.cli.common import Command, Exit, add_store_arguments, open_service
from graphmodel.cli.data import file_sizes, written_line
from graphmodel.cli.progress import Phase, add_progress_argument
from graphmodel.errors import ExportUnreadable, QueryError
from graphmodel.ingest.collector import (
    ALL_PERMISSIONS,
    DEFAULT_AUTHORITY_HOST,
    DEFAULT_GRAPH_URL,
    DEFAULT_REFRESH,
    ENDPOINTS,
    AuthFailed,
    CollectError,
    MissingPermissions,
    collect_tenant,
    load_certificate,
)
from graphmodel.ingest.graph_export import import_export
from graphmodel.schema.omissions import mark_partial, omitted
from graphmodel.service.sync_config import parse_duration

__all__ = ["COMMANDS"]


def _import(args: argparse.Namespace) -> int:
    dirs = [Path(d) for d in args.dirs]
    paths = [p for d in dirs if d.is_dir() for p in d.rglob("*.json")]
    size = sum(file_sizes([str(p) for p in paths]))
    with Phase("import", total=size or None, unit="B", live=args.progress) as reading:
        seen: set[str] = set()

        def advance(file: str, count: int) -> None:
            seen.add(file)

        try:
            world, warnings = import_export(
                dirs, progress=advance, read_bytes=reading.set, allow_partial=args.allow_partial
            )
        except ExportUnreadable as exc:
            return _unreadable(args, exc)
        done = f"{len(seen)}/{len(paths)} files, {reading.counted()}"
        reading.close(f"import: {done} in {reading.took()}")
    if not args.quiet:
        for w in warnings:
            print(f"warning: {w.render()}", file=sys.stderr)
    if warnings:
        by_code = ", ".join(f"{n} {code}" for code, n in Counter(w.code for w in warnings).items())
        print(f"{len(warnings)} warning(s): {by_code}", file=sys.stderr)
    counts = world.counts().as_dict()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    left_out = omitted(world.source)
    if left_out:
        print(f"partial import: left out {'; '.join(left_out)}", file=sys.stderr)
    if args.dry_run:
        print(f"ok: {summary} (not stored: --dry-run)")
        return 0
    with Phase("write", unit="objects", live=args.progress) as writing:
        with open_service(args, create=True) as svc:
            source = mark_partial("graph export: " + ", ".join(args.dirs), left_out)
            info = svc.load_world(world, source=source)
        writing.set(sum(counts.values()))
    print(written_line(info, read=reading.seconds, write=writing.seconds))
    return 0


def _unreadable(args: argparse.Namespace, exc: ExportUnreadable) -> int:
    """Name every file not read and why; nothing was stored."""
    for issue in exc.issues:
        print(f"error: {issue.render()}", file=sys.stderr)
    files = len({i.file for i in exc.issues})
    hint = (" (policy files are never left out)" if args.allow_partial else
            "; `--allow-partial` imports the rest and records what was left out")
    print(f"error: {files} file(s) of the export cannot be read, nothing was stored{hint}",
          file=sys.stderr)
    return Exit.INVALID


_ENDPOINT_DONE = ("collected `", "no permission for `", "skipped `")


def _collect(args: argparse.Namespace) -> int:
    phase = Phase("collect", total=len(ENDPOINTS), unit="endpoints", quiet=args.quiet)

    def notify(message: str) -> None:
        phase.note(f"collect: {message}")
        if message.startswith(_ENDPOINT_DONE):
            phase.update()

    try:
        code = _collect_into(args, notify)
    finally:
        phase.cancel()
    return code


def _collect_into(args: argparse.Namespace, notify: Callable[[str], None]) -> int:
    out = Path(args.out)
    try:
        credential: str | dict[str, str]
        if args.certificate:
            credential = load_certificate(Path(args.certificate))
        else:
            secret = os.environ.get(args.client_secret_env)
            if not secret:
                raise AuthFailed(f"environment variable `{args.client_secret_env}` holding the "
                                 "client secret is not set")
            credential = secret
        verify: ssl.SSLContext | bool = True
        if args.ca_bundle:
            try:
                verify = ssl.create_default_context(cafile=args.ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise AuthFailed(f"cannot use `{args.ca_bundle}` as a ca bundle: {exc}") from exc
        result = collect_tenant(tenant_id=args.tenant_id, client_id=args.client_id,
                                credential=credential, out=out, graph_url=args.graph_url,
                                authority_host=args.authority_host, verify=verify, notify=notify,
                                full=args.full, refresh_after=args.refresh)
    except MissingPermissions as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(f"the files that could be read are in `{out}` (marked incomplete)", file=sys.stderr)
        return 2
    except CollectError as exc:
        hint = " (retry later)" if exc.retryable else ""
        print(f"error: {exc}{hint}", file=sys.stderr)
        return 3 if exc.retryable else 2
    state = "complete" if not result.skipped else "incomplete: " + ", ".join(result.skipped)
    print(f"collected {result.files} files into `{out}` ({state}); load them with "
          f"`tenantgraph import {out}`")
    return 0


def _cfg_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("dirs", nargs="+", metavar="DIR",
                   help="tenant export folders, or folders holding several of them")
    p.add_argument("--dry-run", action="store_true", help="validate and report, store nothing")
    p.add_argument("--quiet", action="store_true", help="print the warning summary only")
    p.add_argument("--allow-partial", action="store_true",
                   help="import what can be read when some files or items cannot be (never "
                   "policy files); the snapshot's source names what was left out")
    add_progress_argument(p)
    add_store_arguments(p)


def _cfg_collect(p: argparse.ArgumentParser) -> None:
    p.epilog = "application permissions needed: " + ", ".join(ALL_PERMISSIONS)
    p.add_argument("--tenant-id", required=True, help="the tenant (directory) id to read")
    p.add_argument("--client-id", required=True, help="the app registration's client id")
    cred = p.add_mutually_exclusive_group(required=True)
    cred.add_argument("--client-secret-env", metavar="VAR",
                      help="environment variable that holds the client secret")
    cred.add_argument("--certificate", metavar="PEM",
                      help="PEM file with the app's certificate and its unencrypted private key")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the export to")
    p.add_argument("--graph-url", default=DEFAULT_GRAPH_URL,
                   help=f"Microsoft Graph root, e.g. for a national cloud ({DEFAULT_GRAPH_URL})")
    p.add_argument("--authority-host", default=DEFAULT_AUTHORITY_HOST,
                   help=f"sign-in service ({DEFAULT_AUTHORITY_HOST})")
    p.add_argument("--ca-bundle", metavar="PEM", help="trust these CA certificates (TLS proxies)")
    p.add_argument("--full", action="store_true",
                   help="read everything in full, ignoring the folder's delta state")
    p.add_argument("--refresh", type=_refresh, default=DEFAULT_REFRESH, metavar="DURATION",
                   help="re-read data without delta (Teams, app role assignments, sign-in "
                   "evidence) in full when older than this (default 6h)")
    p.add_argument("--quiet", action="store_true", help="no progress and retry messages")


def _refresh(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except QueryError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


COMMANDS = (
    Command("import", "import Microsoft Graph export folders and store them as a snapshot",
            _cfg_import, _import),
    Command("collect", "fetch one tenant's Microsoft Graph export with an app registration",
            _cfg_collect, _collect),
)
