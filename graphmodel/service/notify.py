"""Delivering the change feed: signed webhooks and a JSON-lines file, from a background thread.

Why an outbox and a thread: a webhook receiver that is down or slow must never hold up the
sync, and an event must not be lost because the process restarted. Each sink has a durable
cursor in the feed file (`FeedStore.sink`); the `Deliverer` thread sends the events after it
in order, one at a time, and moves the cursor only when the sink accepted the event. A failure
keeps the cursor and sets a time to try again (exponential backoff, capped; a receiver's
`Retry-After` is honoured); a receiver that refuses an event for good (a 4xx other than 408
and 429) gets it `GIVE_UP_AFTER` times, then the event is set aside as a dead letter and the
next one is sent. Delivery is at least once: a crash between sending and moving the cursor
sends that event again (its `id` tells a receiver it has seen it).

Webhook requests: `POST`, the event as the JSON body (`audit.feed.event_json`), headers
`X-Tenantgraph-Event: <id>` and `X-Tenantgraph-Signature-256: sha256=<hex HMAC-SHA256 of the
body with the shared secret>`; a receiver recomputes the HMAC over the raw body and compares
in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from graphmodel.audit.feed import event_json
from graphmodel.errors import GraphModelError
from graphmodel.ingest.collector.graph import retry_after
from graphmodel.service.changes import ChangeFeed

__all__ = [
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "Deliverer",
    "DeliveryFailed",
    "FileSink",
    "Sink",
    "WebhookSink",
    "sign",
]

SIGNATURE_HEADER = "X-Tenantgraph-Signature-256"
EVENT_HEADER = "X-Tenantgraph-Event"
GIVE_UP_AFTER = 5
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def sign(secret: bytes, body: bytes) -> str:
    """The signature header value: `sha256=` and the hex HMAC-SHA256 of `body`.

    Examples
    --------
    >>> sign(b"key", b"{}")
    'sha256=a777724d943eb48dc69bca8a4a6d57a04db3f9ec7e1de4e581e860265bdf3032'
    """
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class DeliveryFailed(Exception):
    """A sink did not take an event; `permanent` when trying again will not help."""

    def __init__(self, message: str, *, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Sink(Protocol):
    """Where events go. `name` keys its cursor in the feed file (keep it stable)."""

    name: str

    def send(self, event_id: int, body: bytes) -> None:
        """Deliver one event (its JSON body); raises DeliveryFailed."""
        ...


class WebhookSink:
    """POSTs each event, signed with `secret`, to `url` (https, or http on loopback only)."""

    def __init__(self, url: str, secret: bytes, *, verify: ssl.SSLContext | bool = True,
                 timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise GraphModelError(f"`{url}` is not an http(s) URL for a webhook")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            raise GraphModelError(f"webhook `{url}` must use https (plain http is accepted for "
                                  "a receiver on this machine only)")
        if not secret:
            raise GraphModelError("a webhook needs a non-empty signing secret")
        self.name = f"webhook:{url}"
        self.url = url
        self._secret = secret
        self._http = httpx.Client(verify=verify, timeout=timeout)

    def send(self, event_id: int, body: bytes) -> None:
        headers = {"Content-Type": "application/json", EVENT_HEADER: str(event_id),
                   SIGNATURE_HEADER: sign(self._secret, body)}
        try:
            resp = self._http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"cannot reach `{self.url}`: {type(exc).__name__}") from exc
        if resp.is_success:
            return
        code = resp.status_code
        retryable = code in (408, 429) or code >= 500
        raise DeliveryFailed(f"`{self.url}` answered {code}", permanent=not retryable,
                             retry_after=retry_after(resp.headers.get("Retry-After")))

    def close(self) -> None:
        self._http.close()


class FileSink:
    """Appends each event as one JSON line to `path` (flushed to disk before it counts)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"file:{path.resolve()}"

    def send(self, event_id: int, body: bytes) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as f:
                f.write(body + b"\n")
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise DeliveryFailed(f"cannot append to `{self.path}`: {exc.strerror}") from exc

    def close(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class Backoff:
    base: float = 2.0  # seconds before the first retry; doubles each time
    cap: float = 900.0

    def delay(self, attempts: int) -> float:
        return float(min(self.cap, self.base * (2.0 ** max(0, attempts - 1))))


class Deliverer:
    """Sends the feed to `sinks` from a background thread (`start`); `wake` after new events."""

    def __init__(self, feed: ChangeFeed, sinks: Sequence[Sink], *, backoff: Backoff | None = None,
                 report: Callable[[str], None] | None = None, batch: int = 100) -> None:
        self.feed, self.sinks = feed, list(sinks)
        self.backoff = backoff or Backoff()
        self.report = report or (lambda _m: None)
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sending = threading.Lock()  # one pass at a time: the thread, or `drain`
        self._thread: threading.Thread | None = None
        for sink in self.sinks:
            feed.store.sink(sink.name)  # a new sink starts after the newest event

    # --- the thread --------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is None and self.sinks:
            self._thread = threading.Thread(target=self._loop, name="deliver-feed", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None
        for sink in self.sinks:
            close = getattr(sink, "close", None)
            if callable(close):
                close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver()
            except GraphModelError as exc:  # the feed file is unavailable: try again later
                self.report(f"delivery paused: {exc}")
            self._wake.wait(timeout=self._next_wait())
            self._wake.clear()

    def _next_wait(self) -> float:
        now = datetime.now(UTC)
        waits = [30.0]
        for sink in self.sinks:
            due = self.feed.store.sink(sink.name).next_at
            if due is not None:
                waits.append(max(0.05, (due - now).total_seconds()))
        return min(waits)

    # --- one pass ----------------------------------------------------------------------------
    def deliver(self) -> int:
        """Send what is due to every sink; returns how many events were delivered."""
        with self._sending:
            return sum(self._sink(sink) for sink in self.sinks)

    def pending(self) -> int:
        """Events not yet delivered to some sink."""
        last = self.feed.store.last_seq()
        return sum(max(0, last - self.feed.store.sink(s.name).last_seq) for s in self.sinks)

    def drain(self, timeout: float) -> bool:
        """Deliver until every sink is caught up or `timeout` seconds pass (one-shot runs)."""
        deadline = time.monotonic() + timeout
        while True:
            self.deliver()
            if self.pending() == 0:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, self._next_wait()))

    def _sink(self, sink: Sink) -> int:
        store = self.feed.store
        state = store.sink(sink.name)
        now = datetime.now(UTC)
        if state.next_at is not None and state.next_at > now:
            return 0
        sent = 0
        for record in store.events(after=state.last_seq, limit=self.batch):
            body = json.dumps(event_json(record.event, seq=record.seq, snapshot=record.snapshot,
                                         previous=record.previous, at=record.at),
                              ensure_ascii=False).encode("utf-8")
            try:
                sink.send(record.seq, body)
            except DeliveryFailed as exc:
                attempts = store.sink(sink.name).attempts + 1
                if exc.permanent and attempts >= GIVE_UP_AFTER:
                    self.report(f"{sink.name}: gave up on event {record.seq} after {attempts} "
                                f"attempts ({exc}); it is kept as a dead letter")
                    store.give_up(sink.name, record.seq, str(exc), now)
                    continue
                wait = exc.retry_after if exc.retry_after is not None else \
                    self.backoff.delay(attempts)
                store.failed(sink.name, str(exc), now + timedelta(seconds=wait))
                self.report(f"{sink.name}: event {record.seq} not delivered ({exc}); trying "
                            f"again in {wait:g}s")
                break
            store.delivered(sink.name, record.seq)
            sent += 1
        return sent
