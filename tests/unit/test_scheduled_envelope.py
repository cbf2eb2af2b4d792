"""Task calls through the Dask scheduler are sealed per run: an envelope opens only with its
run's secret and every field as sealed (wire/_scheduled.py)."""

from __future__ import annotations

import os

import pytest

from flyte_nb.wire._scheduled import ANSWER, CALL, body_matches, envelope, open_envelope

SECRET = os.urandom(32)


def secret_of(token: str) -> bytes | None:
    return SECRET if token == "0-run" else None


def sealed(**overrides: object) -> dict:
    raw = envelope(SECRET, CALL, "0-run", "runs/r/actions/0/attempt-1/job", "p1", 3, b"body", worker="tcp://w:1")
    return {**raw, **overrides}


def test_an_envelope_opens_with_its_runs_secret():
    opened = open_envelope(sealed(), CALL, secret_of)
    assert opened is not None
    assert (opened.token, opened.seq, opened.worker, opened.body) == ("0-run", 3, "tcp://w:1", b"body")


@pytest.mark.parametrize(
    "change",
    [
        {"body": b"other"},
        {"seq": 4},
        {"peer": "p2"},
        {"job": "runs/r/actions/1/attempt-1/job"},
        {"worker": "tcp://elsewhere:1"},
        {"kind": ANSWER},
        {"token": "1-other"},
        {"mac": b"\0" * 32},
        {"mac": "not bytes"},
        {"seq": True},
    ],
)
def test_a_changed_field_or_another_secret_does_not_open(change):
    assert open_envelope(sealed(**change), CALL, secret_of) is None


def test_an_envelope_sealed_with_another_secret_does_not_open():
    forged = envelope(os.urandom(32), CALL, "0-run", "job", "p1", 1, b"body")
    assert open_envelope(forged, CALL, secret_of) is None
    assert open_envelope("not an envelope", CALL, secret_of) is None


def test_a_stored_body_is_checked_against_the_sealed_digest():
    raw = envelope(SECRET, CALL, "0-run", "job", "p1", 1, b"a large body", stored="runs/r/callbacks/n/message")
    assert raw["body"] is None
    opened = open_envelope(raw, CALL, secret_of)
    assert opened is not None and opened.stored == "runs/r/callbacks/n/message"
    assert body_matches(opened, b"a large body")
    assert not body_matches(opened, b"another body")
    # another key under the same seal: refused before anything is read
    assert open_envelope({**raw, "stored": "runs/r/outputs"}, CALL, secret_of) is None
