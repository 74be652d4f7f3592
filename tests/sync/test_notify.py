"""Delivering the feed: a real webhook receiver on loopback, a real feed file, real threads.

A receiver that fails gets the same event again after the wait it asked for (or a backoff),
in order, never a later one first; delivery resumes after a restart exactly where it stopped;
an event a receiver refuses for good is set aside after a few attempts and the next one goes
out; the sync is never held up (events are recorded before any delivery happens).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from graphmodel.errors import GraphModelError
from graphmodel.ingest import load_world_text
from graphmodel.service import GraphService
from graphmodel.service.changes import ChangeFeed
from graphmodel.service.notify import GIVE_UP_AFTER, Backoff, Deliverer, FileSink, WebhookSink
from graphmodel.stores import open_store
from tests.sync.receiver import Receiver

SECRET = b"s3cret-for-hmac"
FAST = Backoff(base=0.05, cap=0.2)


def _world(members: str) -> str:
    return f"""
tenants:
  - name: contoso
    users: [alice, {{name: bob, guestOf: fabrikam/bob}}, {{name: eve, guestOf: fabrikam/eve}}]
    groups: [{{name: staff, members: [{members}]}}]
    apps: [{{name: payroll, assignmentRequired: true, assignedTo: [staff]}},
           {{name: vault, assignmentRequired: true, assignedTo: [staff]}}]
  - {{name: fabrikam, users: [bob, eve]}}
"""


@pytest.fixture
def feed(tmp_path: Path) -> ChangeFeed:
    """A feed with four events: bob and eve each gain payroll and vault."""
    graph = GraphService(open_store("memory", path=tmp_path / "tg.db"))
    found = ChangeFeed.open(graph, str(tmp_path / "feed.sqlite"))
    graph.load_world(load_world_text(_world("alice")), source="v1")
    found.catch_up()
    return found


def _publish(feed: ChangeFeed) -> None:
    feed.graph.load_world(load_world_text(_world("alice, bob, eve")), source="v2")
    assert feed.catch_up().events == 4


def test_a_failing_receiver_gets_each_event_again_in_order(feed: ChangeFeed) -> None:
    with Receiver(answers=[(503, {"Retry-After": "0"}), (500, {})]) as hook:
        deliverer = Deliverer(feed, [WebhookSink(hook.url, SECRET)], backoff=FAST)
        _publish(feed)
        assert deliverer.drain(timeout=60)
    ids = [d.event["id"] for d in hook.got]
    assert ids == [1, 1, 1, 2, 3, 4]  # the first event three times, then the rest in order
    assert [d.event["id"] for d in hook.accepted] == [1, 2, 3, 4]
    assert all(d.verified(SECRET) for d in hook.got)


def test_delivery_resumes_after_a_restart_where_it_stopped(
    feed: ChangeFeed, tmp_path: Path
) -> None:
    with Receiver() as hook:
        first = Deliverer(feed, [WebhookSink(hook.url, SECRET)], backoff=FAST, batch=2)
        _publish(feed)
        assert first.deliver() == 2  # one pass of two events, then the process "dies"
        assert [d.event["id"] for d in hook.got] == [1, 2]
        again = ChangeFeed.open(feed.graph, str(tmp_path / "feed.sqlite"))
        assert Deliverer(again, [WebhookSink(hook.url, SECRET)], backoff=FAST).drain(60)
    assert [d.event["id"] for d in hook.got] == [1, 2, 3, 4]  # nothing lost, nothing twice


def test_a_refused_event_is_set_aside_and_the_next_one_goes_out(feed: ChangeFeed) -> None:
    with Receiver(answers=[(400, {})] * GIVE_UP_AFTER) as hook:
        sink = WebhookSink(hook.url, SECRET)
        reports: list[str] = []
        deliverer = Deliverer(feed, [sink], backoff=FAST, report=reports.append)
        _publish(feed)
        assert deliverer.drain(timeout=60)
    assert [d.event["id"] for d in hook.accepted] == [2, 3, 4]
    assert feed.store.dead_letters(sink.name) == [(1, f"`{hook.url}` answered 400")]
    assert reports[-1] == (f"{sink.name}: gave up on event 1 after {GIVE_UP_AFTER} attempts "
                           f"(`{hook.url}` answered 400); it is kept as a dead letter")


def test_the_background_thread_delivers_what_the_sync_records(feed: ChangeFeed) -> None:
    with Receiver() as hook:
        deliverer = Deliverer(feed, [WebhookSink(hook.url, SECRET)], backoff=FAST)
        deliverer.start()
        try:
            _publish(feed)  # recorded first: the sync does not wait for any receiver
            deliverer.wake()
            deadline = time.monotonic() + 120
            while len(hook.accepted) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            deliverer.stop()
    assert [d.event["id"] for d in hook.accepted] == [1, 2, 3, 4]


def test_a_new_sink_starts_after_the_events_it_never_subscribed_to(
    feed: ChangeFeed, tmp_path: Path
) -> None:
    _publish(feed)
    lines = tmp_path / "out" / "changes.jsonl"
    deliverer = Deliverer(feed, [FileSink(lines)])
    assert deliverer.drain(timeout=5) and not lines.exists()
    feed.graph.load_world(load_world_text(_world("alice, bob")), source="v3")
    feed.catch_up()
    assert deliverer.drain(timeout=60)
    got = [json.loads(line) for line in lines.read_text().splitlines()]
    assert [(e["type"], e["principal"], e["resource"]) for e in got] == [
        ("access.lost", "fabrikam/eve", "contoso/payroll"),
        ("access.lost", "fabrikam/eve", "contoso/vault")]


@pytest.mark.parametrize(("url", "secret", "message"), [
    ("http://hooks.example.com/x", SECRET, "webhook `http://hooks.example.com/x` must use https "
     "(plain http is accepted for a receiver on this machine only)"),
    ("ftp://127.0.0.1/x", SECRET, "`ftp://127.0.0.1/x` is not an http(s) URL for a webhook"),
    ("https://hooks.example.com/x", b"", "a webhook needs a non-empty signing secret"),
])
def test_unsafe_webhooks_are_refused(url: str, secret: bytes, message: str) -> None:
    with pytest.raises(GraphModelError) as err:
        WebhookSink(url, secret)
    assert str(err.value) == message
