"""Which Dask workers count as silent: a ``last_seen`` (as the scheduler reports it) that has
not moved for longer than the bound, on the kernel's own clock; and where new tasks may go
while one is."""

from __future__ import annotations

from flyte_nb.executors.dask._liveness import PLACEMENT_S, SilentWorkers


def test_a_worker_whose_heartbeat_stops_is_silent_after_the_bound_and_heard_again_when_it_resumes():
    workers = SilentWorkers()
    # scheduler clocks need not match the kernel's: only whether last_seen moved counts
    assert workers.update({"tcp://a:1": 5000.0, "tcp://b:1": 5000.0}, now=0.0, bound_s=3.0) == {}
    assert workers.update({"tcp://a:1": 5002.0, "tcp://b:1": 5000.0}, now=2.0, bound_s=3.0) == {}
    silent = workers.update({"tcp://a:1": 5004.0, "tcp://b:1": 5000.0}, now=4.5, bound_s=3.0)
    assert silent == {"tcp://b:1": 4.5}
    assert workers.placement(now=4.5) == ["tcp://a:1"]
    assert workers.placement(now=4.5 + PLACEMENT_S + 1) is None  # an old look decides nothing
    # b speaks again: no longer silent, tasks go anywhere
    assert workers.update({"tcp://a:1": 5005.0, "tcp://b:1": 5005.0}, now=5.0, bound_s=3.0) == {}
    assert workers.placement(now=5.0) is None


def test_a_worker_the_scheduler_dropped_is_forgotten_and_all_silent_restricts_nothing():
    workers = SilentWorkers()
    workers.update({"tcp://a:1": 1.0, "tcp://b:1": 1.0}, now=0.0, bound_s=1.0)
    assert set(workers.update({"tcp://a:1": 1.0, "tcp://b:1": 1.0}, now=2.0, bound_s=1.0)) == {"tcp://a:1", "tcp://b:1"}
    assert workers.placement(now=2.0) is None  # no live worker to prefer: Dask decides
    assert workers.update({"tcp://a:1": 3.0}, now=2.5, bound_s=1.0) == {}
    assert set(workers.heard) == {"tcp://a:1"}
