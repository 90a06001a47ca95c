"""Sessions served in turn and the expected wait (core.runs.fair_queue), without a cluster."""

from __future__ import annotations

import re

import pytest

from core.runs.fair_queue import DEFAULT_SECONDS, GIVE_WAY_SECONDS, TAIL_SHARE, FairQueue, Ticket


def tickets(queue: FairQueue, session: str, count: int, start: int, kind: str = "train"):
    made = [Ticket(start + index, session, kind) for index in range(count)]
    for ticket in made:
        queue.add(ticket)
    return made


def test_a_single_training_is_not_held_back_by_another_sessions_sweep():
    queue = FairQueue()
    sweep = tickets(queue, "teacher", 20, start=1)
    [single] = tickets(queue, "student", 1, start=100)
    assert queue.start_next(now=0.0) is sweep[0]
    # The student's one training goes next, before the sweep's second point.
    assert queue.order()[0] is single
    assert queue.place(single, slots=1, now=0.0)[0] == 1


def test_sessions_take_turns_in_the_order_they_were_last_served():
    queue = FairQueue()
    first = tickets(queue, "a", 3, start=1)
    second = tickets(queue, "b", 3, start=10)
    third = tickets(queue, "c", 1, start=20)
    order = queue.order()
    assert order == [first[0], second[0], third[0], first[1], second[1], first[2], second[2]]
    started = [queue.start_next(now=0.0) for _ in range(3)]
    assert started == [first[0], second[0], third[0]]
    queue.finish(third[0], now=5.0)
    assert queue.order()[:2] == [first[1], second[1]]


def test_the_expected_wait_comes_from_measured_costs_and_the_free_workers():
    queue = FairQueue()
    [warm] = tickets(queue, "a", 1, start=1)
    assert queue.start_next(now=0.0) is warm
    queue.finish(warm, now=30.0)  # one training measured: 30 s
    assert queue.cost("train") == 30.0
    running = tickets(queue, "a", 2, start=2)
    for _ in running:
        queue.start_next(now=100.0)
    waiting = tickets(queue, "b", 3, start=10)
    # Two workers busy since t=100 with 30-s trainings; at t=110 both free in 20 s.
    assert queue.place(waiting[0], slots=2, now=110.0) == (1, 20.0)
    assert queue.place(waiting[1], slots=2, now=110.0) == (2, 20.0)
    assert queue.place(waiting[2], slots=2, now=110.0) == (3, 50.0)
    # A third worker joins: the first waiting one starts at once.
    assert queue.place(waiting[0], slots=3, now=110.0) == (1, 0.0)


def test_an_unmeasured_kind_is_guessed_and_a_removed_ticket_has_no_place():
    queue = FairQueue()
    assert queue.cost("anything") == DEFAULT_SECONDS
    [only] = tickets(queue, "a", 1, start=1)
    assert queue.remove(only) and not queue.remove(only)
    assert queue.place(only, slots=1, now=0.0) is None
    assert queue.waiting_count() == 0


def test_a_running_training_is_projected_from_its_own_epochs_weighed_by_how_many_were_seen():
    queue = FairQueue(epoch_share=1.0)  # as if every training ran all its epochs
    [running] = tickets(queue, "a", 1, start=1)
    [waiting] = tickets(queue, "b", 1, start=2)
    queue.start_next(now=0.0)
    rated = DEFAULT_SECONDS  # what its rate says of it (nothing measured yet)
    # Its first epoch came 4 s in (loading, tracing), then one a second: 5 of 30 at t=8.
    for epoch in range(1, 6):
        running.note_epoch(epoch, 30, 3.0 + epoch)
    assert running.pace() == 1.0
    projected = (8.0 + 25 * 1.0) / (1 - TAIL_SHARE)  # not 8 s / 5 epochs x 30, then the tail
    assert running.projected() == pytest.approx(projected)
    # 5 of 30 epochs seen: mostly what its rate says, a sixth what its own epochs say.
    whole = projected * 5 / 30 + rated * 25 / 30
    assert queue.place(waiting, slots=1, now=8.0) == (1, pytest.approx(whole - 8.0))
    assert queue.place(waiting, slots=1, now=8.5)[1] == pytest.approx(whole - 8.5)
    for epoch in range(6, 30):  # 29 of 30 seen at t=32: nearly all its own
        running.note_epoch(epoch, 30, 3.0 + epoch)
    whole = projected * 29 / 30 + rated / 30
    assert queue.place(waiting, slots=1, now=32.0) == (1, pytest.approx(whole - 32.0))


def test_early_stopping_is_learned_from_finished_trainings_and_shortens_the_projections():
    queue = FairQueue(epoch_share=1.0)
    [early] = tickets(queue, "a", 1, start=1)
    queue.start_next(now=0.0)
    early.note_epoch(1, 30, 2.0)
    early.note_epoch(24, 30, 25.0)  # early stopping ended it after 24 of at most 30
    queue.finish(early, now=30.0)
    share = queue.epoch_share
    assert share == pytest.approx(0.7 * 1.0 + 0.3 * 24 / 30)
    [running] = tickets(queue, "b", 1, start=2)
    [waiting] = tickets(queue, "c", 1, start=3)
    queue.start_next(now=100.0)
    running.note_epoch(1, 30, 101.0)
    running.note_epoch(11, 30, 111.0)  # one epoch a second
    left = 30 * share - 11  # not the 19 epochs left of its 30
    projected = (11.0 + left) / (1 - TAIL_SHARE)
    seen = 11 / (30 * share)
    whole = seen * projected + (1 - seen) * queue.rate("train")
    assert queue.place(waiting, slots=1, now=111.0) == (1, pytest.approx(whole - 11.0))


def test_a_busy_machine_slows_every_estimate_as_far_as_the_running_trainings_show():
    queue = FairQueue(priors={"train_request": 30.0}, epoch_share=1.0)  # 30 s/unit, quiet
    running = Ticket(1, "a", "train_request:lstm", size=1.0)
    queue.add(running)
    queue.start_next(now=0.0)
    waiting = [Ticket(2, "b", "train_request:lstm"), Ticket(3, "c", "train_request:gru", 0.5)]
    for ticket in waiting:
        queue.add(ticket)
    # Before its second epoch nothing is known of the machine: the prior, less the time run.
    assert queue.slowdown() == 1.0
    assert queue.place(waiting[1], slots=1, now=3.0) == (2, 27.0 + 30.0)
    # Others share the machine: first epoch at 9 s, then 7 s each: 8 of at most 10 at t=58.
    for epoch in range(1, 9):
        running.note_epoch(epoch, 10, 2.0 + 7 * epoch)
    projected = (58.0 + 2 * 7.0) / (1 - TAIL_SHARE)  # 90 s: three times what the prior says
    whole = 0.8 * projected + 0.2 * 30.0  # 8 of 10 epochs seen
    assert queue.slowdown() == pytest.approx(whole / 30.0)
    assert queue.place(waiting[0], slots=1, now=58.0) == (1, pytest.approx(whole - 58.0))
    # The one behind it waits that much longer too, not the 30 s the prior alone says.
    later = whole - 58.0 + 30.0 * whole / 30.0
    assert queue.place(waiting[1], slots=1, now=58.0) == (2, pytest.approx(later))


def test_the_wait_counts_each_trainings_size_and_the_time_the_running_ones_have_run():
    queue = FairQueue()
    measured = Ticket(1, "a", "train_request:lstm", size=2.0)
    queue.add(measured)
    queue.start_next(now=0.0)
    queue.finish(measured, now=40.0)  # size 2 in 40 s: 20 s per unit of size
    assert queue.cost("train_request:lstm") == 20.0
    # A family not measured yet learns from its prefix: GRU of size 0.5 -> 10 s.
    assert queue.expected(Ticket(9, "x", "train_request:gru", size=0.5)) == 10.0
    running = Ticket(2, "a", "train_request:lstm", size=1.5)  # 30 s expected
    queue.add(running)
    queue.start_next(now=100.0)
    small = Ticket(3, "b", "train_request:dense", size=0.25)  # 5 s
    large = Ticket(4, "c", "train_request:gru", size=3.0)  # 60 s
    queue.add(small)
    queue.add(large)
    # One worker; the running training has run 12 of its 30 s: free in 18 s.
    assert queue.place(small, slots=1, now=112.0) == (1, 18.0)
    assert queue.place(large, slots=1, now=112.0) == (2, 23.0)


def test_rates_kept_by_an_earlier_server_and_the_prior_come_before_any_measurement():
    earlier = FairQueue()
    ticket = Ticket(1, "a", "train_request:gru", size=1.0)
    earlier.add(ticket)
    earlier.start_next(now=0.0)
    earlier.finish(ticket, now=12.0)
    fresh = FairQueue(priors={"train_request": 30.0})
    assert fresh.cost("train_request:lstm") == 30.0  # nothing measured: the prior
    fresh.learn(earlier.rates())
    assert fresh.cost("train_request:gru") == 12.0
    assert fresh.cost("train_request:lstm") == 12.0  # the family's prefix, not the prior
    assert fresh.cost("forecast_stored") == 12.0  # an unrelated kind: the last measured


def test_a_trainings_size_grows_with_its_work_and_the_default_is_one():
    from core.config import RunRequest
    from core.runs.costs import training_cost

    default = RunRequest()
    length = default.data.length
    assert training_cost(default, length) == ("train_request:lstm", pytest.approx(1.0))

    def size(**changes) -> float:
        model = default.model.replace(**{k: v for k, v in changes.items() if k != "lookback"})
        split = default.split.replace(lookback=changes.get("lookback", default.split.lookback))
        return training_cost(default.replace(model=model, split=split), length)[1]

    assert size(units=16) < 1.0 < size(units=64)
    # As the class benchmark timed them: a GRU costs more than an LSTM of the same width.
    assert size(family="dense") < size(family="simple_rnn") < 1.0 < size(family="gru")
    assert size(lookback=14) < 1.0 < size(lookback=60)
    assert size(hidden_layers=1) > 1.0


def test_the_first_in_line_waits_for_a_head_start_to_give_way_not_for_its_whole_cost():
    queue = FairQueue()
    queue.learn({"train_request:lstm": 60.0, "warm_request": 60.0})
    head_start = Ticket(1, "a", "warm_request", yields=True)
    queue.hold(head_start, now=0.0)
    training = Ticket(2, "b", "train_request:lstm")
    queue.add(training)
    # Not its 60 s of warming: the seconds a head start takes to give way (not yet asked).
    assert queue.place(training, slots=1, now=5.0) == (1, GIVE_WAY_SECONDS)
    queue.ask_to_give_way(now=5.0)
    assert queue.place(training, slots=1, now=7.0) == (1, GIVE_WAY_SECONDS - 2.0)
    # It took 3 s: the next estimate leans towards that.
    queue.gave_way(head_start, now=8.0)
    assert GIVE_WAY_SECONDS > queue.give_way > 3.0
    queue.finish(head_start, now=8.0, measured=False)
    assert queue.rates() == {"train_request:lstm": 60.0, "warm_request": 60.0}
    assert queue.place(training, slots=1, now=8.0) == (1, 0.0)


def test_work_a_free_worker_thread_can_take_is_never_shown_waiting_in_line():
    from core.runs.cluster import Cluster

    # No dispatcher thread runs here: only what expect() itself does counts.
    cluster = Cluster(workers=2, threads=1)
    cluster._ready.set()  # the workers are up (nothing is submitted in this test)
    cluster.expect("first", session="a")
    cluster.expect("second", session="b")
    assert cluster.place_of("first") is None and cluster.place_of("second") is None
    cluster.expect("third", session="c")  # both threads taken: this one waits, first in line
    assert cluster.place_of("third") == (1, pytest.approx(DEFAULT_SECONDS, abs=0.1))
    cluster.forget("first")  # a thread is free again: the next in line takes it at once
    assert cluster.place_of("third") is None
    assert len(cluster.queue.running()) == 2 and cluster.queue.waiting_count() == 0


def test_the_words_round_a_wait_by_no_more_than_a_sixth_of_it():
    from core.runs.jobs import wait_figure

    for seconds in [1.2, 3.0, 7.4, 12.0, 17.0, 33.0, 58.0, 77.0, 95.0, 140.0, 176.0, 215.0, 400.0]:
        value, unit = wait_figure(seconds).split()
        shown = float(value) * (60 if unit == "min" else 1)
        assert abs(shown - seconds) <= seconds / 6, (seconds, wait_figure(seconds))


def test_a_training_submitted_before_any_worker_is_up_says_so_instead_of_a_figure(
    tmp_path, monkeypatch
):
    import threading

    from core.errors import TrainingCancelled
    from core.runs import cluster as cluster_module
    from core.runs import jobs as jobs_module
    from core.runs.cluster import Cluster
    from core.runs.jobs import JobRegistry
    from core.runs.store import RunStore
    from tests.runs.test_store import tiny_request

    release = threading.Event()

    def held(*args, **kwargs):  # the training never reaches a worker in this test
        release.wait(30)
        raise TrainingCancelled("the test is over")

    monkeypatch.setattr(jobs_module, "run_in_pool", held)
    monkeypatch.setattr(cluster_module, "_cluster", Cluster(workers=2))  # never started
    registry = JobRegistry(store=RunStore(tmp_path / "runs"))
    try:
        jobs = [registry.submit(tiny_request(units=units)) for units in (4, 5, 6)]
        first, _, third = [registry.snapshot(job) for job in jobs]
    finally:
        release.set()
    # No worker is up: the first in line is not told "about 1 s" (the workers' start is not
    # measured yet); the third's figure is the line's, said to come after the start.
    assert first.status == "queued" and first.queue_position == 1 and first.workers_starting
    assert first.wait_words.startswith(", as soon as the workers are up (after a server start")
    assert third.queue_position == 3 and third.wait_seconds > 1
    words = r", about \d+ s to wait once the workers are up \(after .*\)"
    assert re.fullmatch(words, third.wait_words)


def test_three_workers_on_two_cores_promise_the_waits_their_cores_allow():
    """A third worker on a 2-core machine is a third place, not a third core: three trainings
    run at two thirds of the speed, and the wait said to the next in line is 1.5x as long."""
    waits = {}
    for capacity in (0.0, 2.0):  # 0: the cores unknown (no crowding assumed)
        queue = FairQueue(capacity=capacity)
        queue.learn({"train": 10.0})
        for _ in tickets(queue, "a", 3, start=1):
            queue.start_next(now=0.0)
        [waiting] = tickets(queue, "b", 1, start=10)
        waits[capacity] = queue.place(waiting, slots=3, now=0.0)
    assert waits == {0.0: (1, 10.0), 2.0: (1, 15.0)}


def test_a_crowded_trainings_duration_is_learned_as_its_uncrowded_rate():
    queue = FairQueue(capacity=2.0)
    running = tickets(queue, "a", 3, start=1)
    for _ in running:
        queue.start_next(now=0.0)
    queue.finish(running[0], now=15.0)  # three on two cores: 15 s is a 10-s training
    assert queue.rates() == {"train": 10.0}
    assert queue.crowding(busy=2) == 1.0 and queue.crowding(busy=3) == 1.5
