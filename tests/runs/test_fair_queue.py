"""Sessions served in turn and the expected wait (core.runs.fair_queue), without a cluster."""

from __future__ import annotations

from core.runs.fair_queue import DEFAULT_SECONDS, FairQueue, Ticket


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


def test_before_any_training_finished_the_wait_is_projected_from_the_epochs_so_far():
    queue = FairQueue()
    [running] = tickets(queue, "a", 1, start=1)
    [waiting] = tickets(queue, "b", 1, start=2)
    queue.start_next(now=0.0)
    running.progress = (5, 30)  # 5 of 30 epochs in 10 s: 60 s in all, 50 s to go
    assert queue.cost("train", now=10.0) == 60.0
    assert queue.place(waiting, slots=1, now=10.0) == (1, 50.0)
