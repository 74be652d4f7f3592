"""`sync` (collect -> import -> snapshot -> access-change feed, once or `--every`) and `changes`.

`sync` takes its tenants from a TOML file (`--config`, `graphmodel.service.sync_config`) or
one tenant from the same flags as `collect`; progress and retries go to stderr with the
tenant's name, one summary line per tenant and one for the snapshot go to stdout. With
`--every 15m` it keeps running, starting a sync every interval (a run that takes longer
starts the next one at once); SIGTERM or Ctrl-C stop it after the current run. Webhook and
JSON-lines delivery run on a background thread; a one-shot run waits `--notify-wait` for them
at the end and leaves the rest queued for the next run.

`changes` prints the feed: the outsiders' access changes of the snapshots since `--since` (a
snapshot id or an ISO time), catching it up first.
"""

from __future__ import annotations

import argparse
import json
import signal
import ssl
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from types import FrameType

from graphmodel.audit.feed import cause_label, event_json
from graphmodel.cli.common import Command, Exit, add_store_arguments, open_service, parse_time
from graphmodel.errors import GraphModelError, QueryError
from graphmodel.ingest.collector import DEFAULT_AUTHORITY_HOST, DEFAULT_GRAPH_URL
from graphmodel.service.changes import ChangeFeed, FeedRecord
from graphmodel.service.notify import Deliverer, FileSink, Sink, WebhookSink
from graphmodel.service.sync import Syncer, SyncOutcome
from graphmodel.service.sync_config import (
    NotifyConfig,
    SyncConfig,
    TenantSource,
    load_config,
    parse_duration,
)

__all__ = ["COMMANDS"]


def _duration(text: str) -> float:
    try:
        return parse_duration(text).total_seconds()
    except QueryError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _config(args: argparse.Namespace) -> SyncConfig:
    if args.config:
        config = load_config(Path(args.config))
    else:
        missing = [flag for flag, value in (("--tenant-id", args.tenant_id),
                                            ("--client-id", args.client_id),
                                            ("--out", args.out)) if not value]
        creds = [v for v in (args.client_secret_env, args.client_secret_file, args.certificate)
                 if v]
        if missing or len(creds) != 1:
            raise QueryError("give `--config FILE`, or `--tenant-id`, `--client-id`, `--out` "
                             "and one of `--client-secret-env`, `--client-secret-file`, "
                             "`--certificate`" + (f" (missing {', '.join(missing)})"
                                                  if missing else ""))
        tenant = TenantSource(
            name=args.name or args.tenant_id, tenant_id=args.tenant_id,
            client_id=args.client_id, client_secret_env=args.client_secret_env,
            client_secret_file=_path(args.client_secret_file),
            certificate=_path(args.certificate), graph_url=args.graph_url or DEFAULT_GRAPH_URL,
            authority_host=args.authority_host or DEFAULT_AUTHORITY_HOST,
            ca_bundle=_path(args.ca_bundle))
        config = SyncConfig(out=Path(args.out), tenants=(tenant,))
    n = config.notify
    notify = NotifyConfig(
        url=args.notify_url or n.url,
        secret_env=args.notify_secret_env or (None if args.notify_secret_file else n.secret_env),
        secret_file=_path(args.notify_secret_file) or (None if args.notify_secret_env
                                                       else n.secret_file),
        file=_path(args.changes_file) or n.file,
        ca_bundle=_path(args.notify_ca_bundle) or n.ca_bundle)
    refresh = config.refresh if args.refresh is None else parse_duration(args.refresh)
    return SyncConfig(out=config.out, tenants=config.tenants, notify=notify, refresh=refresh)


def _path(value: str | None) -> Path | None:
    return None if not value else Path(value)


def _sinks(notify: NotifyConfig) -> list[Sink]:
    sinks: list[Sink] = []
    if notify.url:
        verify: ssl.SSLContext | bool = True
        if notify.ca_bundle is not None:
            try:
                verify = ssl.create_default_context(cafile=str(notify.ca_bundle))
            except (OSError, ssl.SSLError) as exc:
                raise QueryError(f"cannot use `{notify.ca_bundle}` as a ca bundle: {exc}") from exc
        sinks.append(WebhookSink(notify.url, notify.secret(), verify=verify))
    if notify.file is not None:
        sinks.append(FileSink(notify.file))
    return sinks


def _print_outcome(outcome: SyncOutcome) -> None:
    for t in outcome.tenants:
        print(t.line(), flush=True)
    if outcome.snapshot is None:
        print("nothing imported: no tenant folder holds an export yet", flush=True)
        return
    info = outcome.snapshot
    what = (f"snapshot {info.id} written: {json.dumps(info.counts)}" if outcome.written
            else f"unchanged: snapshot {info.id} is current")
    feed = outcome.feed
    pending = f" ({len(feed.pending)} snapshot(s) being computed elsewhere)" if feed.pending else ""
    print(f"{what}; {outcome.warnings} import warning(s); feed: {feed.events} outsider access "
          f"change event(s){pending}; took {outcome.seconds:.1f}s", flush=True)


def _sync(args: argparse.Namespace) -> int:
    config = _config(args)
    sinks = _sinks(config.notify)
    stop = threading.Event()

    def on_term(_sig: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term) if args.every else None

    def report(tenant: str, message: str) -> None:
        if not args.quiet:
            print(f"{tenant}: {message}", file=sys.stderr, flush=True)

    code = Exit.OK
    with open_service(args, create=True) as svc:
        feed = ChangeFeed.open(svc, ChangeFeed.path_for(args.db))
        deliverer = Deliverer(feed, sinks, report=lambda m: report("notify", m))
        deliverer.start()
        syncer = Syncer(svc, feed, config, notify=report, deliverer=deliverer)
        try:
            full = args.full
            while not stop.is_set():
                started = time.monotonic()
                try:
                    outcome = syncer.run(full=full)
                except GraphModelError as exc:
                    if not args.every:
                        raise
                    # a long-lived process outlives a store or import problem: next run
                    print(f"error: {exc}; trying again at the next run", file=sys.stderr)
                    code = Exit.UNAVAILABLE
                else:
                    full = False
                    _print_outcome(outcome)
                    failed = outcome.failed
                    code = (Exit.OK if not failed else Exit.UNAVAILABLE
                            if all(t.retryable for t in failed) else Exit.INVALID)
                if not args.every:
                    break
                stop.wait(max(0.0, args.every - (time.monotonic() - started)))
        except KeyboardInterrupt:
            print("interrupted: stopping after this run", file=sys.stderr)
        finally:
            if sinks and not deliverer.drain(args.notify_wait if not stop.is_set() else 5.0):
                print(f"notify: {deliverer.pending()} event delivery(ies) still queued; they "
                      "are sent by the next run", file=sys.stderr)
            deliverer.stop()
            feed.close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
    return code


def _cfg_sync(p: argparse.ArgumentParser) -> None:
    p.epilog = ("docs/sync.md has the config file format, the webhook format and how to run "
                "this from a systemd timer or cron instead of --every")
    p.add_argument("--config", metavar="TOML", help="tenants, credential references, notify")
    one = p.add_argument_group("one tenant, without --config")
    one.add_argument("--tenant-id")
    one.add_argument("--client-id")
    one.add_argument("--client-secret-env", metavar="VAR",
                     help="environment variable that holds the client secret")
    one.add_argument("--client-secret-file", metavar="FILE", help="file holding the secret")
    one.add_argument("--certificate", metavar="PEM", help="certificate and unencrypted key")
    one.add_argument("--out", metavar="DIR", help="folder of the tenant folders")
    one.add_argument("--name", help="the tenant's folder name under --out (default: its id)")
    one.add_argument("--graph-url", help=f"Microsoft Graph root ({DEFAULT_GRAPH_URL})")
    one.add_argument("--authority-host", help=f"sign-in service ({DEFAULT_AUTHORITY_HOST})")
    one.add_argument("--ca-bundle", metavar="PEM", help="trust these CA certificates")
    p.add_argument("--full", action="store_true",
                   help="read everything in full this run (ignore the delta state)")
    p.add_argument("--every", type=_duration, metavar="DURATION",
                   help="keep running: one sync every DURATION (e.g. 15m)")
    p.add_argument("--refresh", metavar="DURATION",
                   help="re-read data without delta (Teams, app role assignments, sign-in "
                   "evidence) in full when older than this (default 6h)")
    n = p.add_argument_group("access-change notifications")
    n.add_argument("--notify-url", metavar="URL", help="webhook receiving each event (POST)")
    n.add_argument("--notify-secret-env", metavar="VAR", help="variable holding the HMAC secret")
    n.add_argument("--notify-secret-file", metavar="FILE", help="file holding the HMAC secret")
    n.add_argument("--notify-ca-bundle", metavar="PEM", help="CA certificates of the receiver")
    n.add_argument("--changes-file", metavar="FILE", help="append each event as a JSON line")
    n.add_argument("--notify-wait", type=_duration, default=30.0, metavar="DURATION",
                   help="a run without --every waits this long for delivery (30s)")
    p.add_argument("--quiet", action="store_true", help="no progress and retry messages")
    add_store_arguments(p)


def _line(r: FeedRecord) -> str:
    e = r.event
    policy = f"; policy: {e.policy}" if e.policy else ""
    causes = "; ".join(cause_label(c) for c in e.causes[:3])
    more = f" (+{e.cause_count - 3} more)" if e.cause_count > 3 else ""
    why = f"; because: {causes}{more}" if causes else ""
    via = f" via {e.via.value}" if e.via else ""
    if e.access is not None:
        what = f"{e.change.value} {e.access.principal} -> {e.access.resource}{via}"
    else:
        what = (f"{e.change.value} {e.principals} outsiders on {e.resources} resource(s) of "
                f"{e.tenant}{via} (e.g. {', '.join(e.sample)})")
    return f"#{r.seq} snapshot {r.snapshot}: {what}{policy}{why}"


def _since(text: str | None) -> tuple[int | None, datetime | None]:
    if text is None:
        return None, None
    if text.strip().isdigit():
        return int(text), None
    try:
        return None, parse_time(text)
    except argparse.ArgumentTypeError as exc:
        raise QueryError(f"`--since` takes a snapshot id or a time: {exc}") from None


def _changes(args: argparse.Namespace) -> int:
    since_snapshot, since_time = _since(args.since)
    with open_service(args) as svc:
        feed = ChangeFeed.open(svc, ChangeFeed.path_for(args.db))
        try:
            feed.catch_up()
            page = feed.page(since_snapshot=since_snapshot, since_time=since_time,
                             tenants=args.tenant or None, first=args.first,
                             after=None if args.after is None else int(args.after))
        finally:
            feed.close()
    for r in page.items:
        if args.json:
            print(json.dumps(event_json(r.event, seq=r.seq, snapshot=r.snapshot,
                                        previous=r.previous, at=r.at)))
        else:
            print(_line(r))
    if page.has_next:
        print(f"more: --after {page.end_cursor}", file=sys.stderr)
    return Exit.OK


def _cfg_changes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", metavar="SNAPSHOT|TIME",
                   help="events of snapshots after this id, or created after this ISO time")
    p.add_argument("--tenant", action="append", metavar="T",
                   help="only changes on this tenant's resources (repeatable)")
    p.add_argument("--first", type=int, default=100, help="page size (100)")
    p.add_argument("--after", metavar="CURSOR", help="continue after this event id")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_store_arguments(p)


COMMANDS = (
    Command("sync", "collect tenants from Microsoft Graph, import them as a snapshot, and "
            "report outsiders' access changes (once, or --every)", _cfg_sync, _sync),
    Command("changes", "outsiders' access changes of recent snapshots (the change feed)",
            _cfg_changes, _changes),
)
