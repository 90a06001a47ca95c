"""Whose task runs next: sessions are served in turn (the session with the fewest tasks running
goes first, ties to the one served longest ago), so one person's 20-point sweep does not hold
back another's single training; and how long a waiting task should wait, from the measured
cost of earlier tasks of its kind.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import Counter, deque
from dataclasses import dataclass, field

DEFAULT_SECONDS = 20.0  # the guess before any task of a kind has finished (a default training)
SMOOTHING = 0.3  # weight of the newest duration in a kind's running average
# Seconds a head start (a network warming ahead of its training) takes to give way once work
# waits for its worker: it notices between two steps, and a network being traced finishes its
# trace first: 4.2-5.6 s in the class bench on 2 cores. The figure a fresh server starts from;
# each server measures its own from then on (FairQueue.gave_way).
GIVE_WAY_SECONDS = 5.0
# Share of its at-most epochs a training runs (early stopping ends most a few epochs sooner:
# 26-30 of 30 in the class bench, mean 0.91); learned per server from finished trainings.
EPOCH_SHARE = 0.9
# Share of a training's time after its last epoch (predictions, forecast, bands, saving,
# bringing the run home).
TAIL_SHARE = 0.2


@dataclass(eq=False)
class Ticket:
    """One task waiting for (or holding) a worker thread."""

    number: int
    session: str
    kind: str  # what its cost is averaged over (e.g. "train_request:gru": a family's trainings)
    size: float = 1.0  # its work relative to others of its kind's prefix (core.runs.costs)
    started_at: float | None = None
    progress: tuple[int, int] | None = None  # (epochs done, at most) while it trains
    yields: bool = False  # a head start: ends when work waits for its worker, not when done
    asked_at: float | None = None  # when it was asked to give way
    first_epoch_at: float | None = None  # when its first epoch ended
    last_epoch_at: float | None = None  # when its latest epoch ended

    def summary(self, now: float, expected: float) -> str:
        """One line for the server's log: what it was expected to take and what it took."""
        took = now - (self.started_at or now)
        gave = "" if self.asked_at is None else f", gave way {now - self.asked_at:.1f} s after"
        return (
            f"{self.session[:8]} {self.kind} size {self.size:.2f}, {took:.1f} s (expected "
            f"{expected:.1f} s), epochs {self.progress}{gave}"
        )

    def note_epoch(self, done: int, most: int, now: float) -> None:
        """An epoch ended (its worker's message arrived): `done` of at most `most`."""
        if done <= 0:
            return
        if self.first_epoch_at is None or self.progress is None or done < self.progress[0]:
            self.first_epoch_at = now  # the first one, or a retry that starts over
        self.progress, self.last_epoch_at = (done, max(done, most)), now

    def pace(self) -> float | None:
        """Seconds per epoch measured from its own epochs (None before its second)."""
        if self.progress is None or self.progress[0] < 2 or self.first_epoch_at is None:
            return None
        return (self.last_epoch_at - self.first_epoch_at) / (self.progress[0] - 1)

    def epochs_left(self, share: float) -> float:
        """Epochs still to run, if it runs `share` of its at-most epochs (never fewer than 0)."""
        done, most = self.progress or (0, 0)
        return max(0.0, most * share - done)

    def projected(self, share: float = 1.0) -> float | None:
        """Its whole duration projected from its own epochs (None before its second): the time
        to its first epoch, its other epochs at its pace (`share` of its at-most epochs, early
        stopping ending the rest), and the work after the last epoch."""
        pace = self.pace()
        if pace is None or self.started_at is None or self.progress is None:
            return None
        epochs = (self.last_epoch_at - self.started_at) + self.epochs_left(share) * pace
        return epochs / (1 - TAIL_SHARE)

    def whole(self, expected: float, share: float = 1.0) -> float:
        """Its whole duration: `expected` (its rate times its size) and its own projection,
        weighed by the share of its epochs seen so far, since a few epochs say little (the
        first are slowed by one-off work) and most of them say nearly all."""
        projected = self.projected(share)
        if projected is None or self.progress is None:
            return expected
        seen = min(1.0, self.progress[0] / max(1.0, self.progress[1] * share))
        return seen * projected + (1 - seen) * expected

    def remaining(self, now: float, expected: float, share: float = 1.0) -> float:
        """Seconds until it ends, `expected` being its whole expected duration (its rate times
        its size): its whole duration (see `whole`) less the time it has run, at least its
        tail while no epoch has said more (when it overruns)."""
        elapsed = 0.0 if self.started_at is None else max(0.0, now - self.started_at)
        if self.projected(share) is None:
            return max(expected - elapsed, TAIL_SHARE * expected)
        return max(self.whole(expected, share) - elapsed, 0.0)


@dataclass
class FairQueue:
    """Thread-safe: waiting tickets per session, running counts, measured costs per kind."""

    _waiting: dict[str, deque[Ticket]] = field(default_factory=dict)
    _running: dict[int, Ticket] = field(default_factory=dict)
    _served: dict[str, int] = field(default_factory=dict)
    _costs: dict[str, float] = field(default_factory=dict)  # seconds per unit of size
    # Seconds per unit of size assumed for a kind's prefix before any of it was measured here
    # (core.runs.costs: a training's prior, or the rates a server kept from earlier runs).
    priors: dict[str, float] = field(default_factory=dict)
    give_way: float = GIVE_WAY_SECONDS  # a head start's seconds from the ask to its end
    # Cores the worker threads can use: per machine, the fewer of its threads and its cores
    # (core.runs.capacity; 0 while unknown). Rates are kept per uncrowded thread (crowding).
    capacity: float = 0.0
    epoch_share: float = EPOCH_SHARE  # share of their at-most epochs trainings run
    _ticks: itertools.count = field(default_factory=itertools.count)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def add(self, ticket: Ticket) -> None:
        with self._lock:
            self._waiting.setdefault(ticket.session, deque()).append(ticket)

    def remove(self, ticket: Ticket) -> bool:
        """Take a waiting ticket out; False when it was not waiting (any more)."""
        with self._lock:
            line = self._waiting.get(ticket.session)
            if line is None or ticket not in line:
                return False
            line.remove(ticket)
            if not line:
                del self._waiting[ticket.session]
            return True

    def waiting_count(self) -> int:
        with self._lock:
            return sum(len(line) for line in self._waiting.values())

    def running(self) -> list[Ticket]:
        with self._lock:
            return list(self._running.values())

    def order(self) -> list[Ticket]:
        """Every waiting ticket in the order they will start."""
        with self._lock:
            lines = {session: list(line) for session, line in self._waiting.items()}
            running = Counter(ticket.session for ticket in self._running.values())
            served = dict(self._served)
        ordered: list[Ticket] = []
        tick = 0
        while lines:
            session = min(
                lines, key=lambda name: (running[name], served.get(name, -1), lines[name][0].number)
            )
            ordered.append(lines[session].pop(0))
            if not lines[session]:
                del lines[session]
            running[session] += 1
            tick += 1
            served[session] = 10**12 + tick  # served after everything served so far
        return ordered

    def start_next(self, now: float) -> Ticket | None:
        """The next ticket to run (taken out of the waiting lines and counted as running)."""
        with self._lock:
            ordered = self.order()
            if not ordered:
                return None
            ticket = ordered[0]
            self.remove(ticket)
            ticket.started_at = now
            self._running[ticket.number] = ticket
            self._served[ticket.session] = next(self._ticks)
            return ticket

    def hold(self, ticket: Ticket, now: float) -> None:
        """Count a ticket that never waited (a head start on a free slot) as running."""
        with self._lock:
            ticket.started_at = now
            self._running[ticket.number] = ticket

    def finish(self, ticket: Ticket, now: float, measured: bool = True) -> None:
        """A running ticket ended; a completed one's duration updates its kind's cost."""
        with self._lock:
            crowding = self.crowding(len(self._running))
            if self._running.pop(ticket.number, None) is None or ticket.started_at is None:
                return
            if measured and ticket.progress is not None:
                done, most = ticket.progress
                share = min(1.0, done / max(1, most))
                self.epoch_share = (1 - SMOOTHING) * self.epoch_share + SMOOTHING * share
            if measured:
                seconds = max(0.0, now - ticket.started_at) / max(ticket.size, 1e-9) / crowding
                before = self._costs.get(ticket.kind)
                self._costs[ticket.kind] = (
                    seconds if before is None else (1 - SMOOTHING) * before + SMOOTHING * seconds
                )

    def ask_to_give_way(self, now: float) -> None:
        """Work waits: every head start running is asked to give way (from now, once)."""
        with self._lock:
            for ticket in self._running.values():
                if ticket.yields and ticket.asked_at is None:
                    ticket.asked_at = now

    def gave_way(self, ticket: Ticket, now: float) -> None:
        """A head start asked to give way has ended: how long it took, averaged."""
        with self._lock:
            if ticket.yields and ticket.asked_at is not None:
                seconds = max(0.0, now - ticket.asked_at)
                self.give_way = (1 - SMOOTHING) * self.give_way + SMOOTHING * seconds

    def rate(self, kind: str) -> float:
        """Seconds per unit of size of a task of this kind at the pace it was measured: the
        running average of those finished; else of the finished kinds sharing its prefix
        ("train_request:gru" learns from "train_request:lstm"); else the prefix's prior; else
        the last kind measured; else a guess."""
        prefix = kind.split(":", 1)[0]
        with self._lock:
            if kind in self._costs:
                return self._costs[kind]
            related = [cost for name, cost in self._costs.items() if name.split(":")[0] == prefix]
            if related:
                return sum(related) / len(related)
            if prefix in self.priors:
                return self.priors[prefix]
            return next(reversed(self._costs.values()), DEFAULT_SECONDS)

    def crowding(self, busy: int) -> float:
        """How many times slower each of `busy` running tasks goes than on a core of its own:
        three workers on one 2-core machine, all busy, run at two thirds of the speed (1.5)."""
        return max(1.0, busy / self.capacity) if self.capacity > 0 else 1.0

    def slowdown(self) -> float:
        """How much slower than their rates say the tasks run now: their whole durations (their
        own epochs weighed in as far as seen, see Ticket.whole) over what their rates say,
        averaged over the running tasks that have a pace (1 when none has). Rates are measured
        at one load, or are a prior; a machine others share runs at another, and the running
        tasks show which."""
        with self._lock:
            crowding = self.crowding(len(self._running))
            running = [ticket for ticket in self._running.values() if not ticket.yields]
        ratios = []
        for ticket in running:
            rated = max(self.rate(ticket.kind) * ticket.size * crowding, 1e-9)
            if ticket.projected(self.epoch_share) is not None:
                ratios.append(ticket.whole(rated, self.epoch_share) / rated)
        return sum(ratios) / len(ratios) if ratios else 1.0

    def cost(self, kind: str) -> float:
        """Seconds per unit of size of a task of this kind now: its rate times the crowding of
        the tasks running and the slowdown."""
        return self.rate(kind) * self.crowding(len(self.running())) * self.slowdown()

    def expected(self, ticket: Ticket) -> float:
        """A ticket's expected duration (seconds): its kind's cost per unit times its size."""
        return self.cost(ticket.kind) * ticket.size

    def learn(self, rates: dict[str, float]) -> None:
        """Start from rates measured before (by an earlier server); measured ones stay."""
        with self._lock:
            for kind, rate in rates.items():
                self._costs.setdefault(kind, float(rate))

    def rates(self) -> dict[str, float]:
        """The measured seconds per unit of size, per kind (to keep for the next start)."""
        with self._lock:
            return dict(self._costs)

    def place(self, ticket: Ticket, slots: int, now: float) -> tuple[int, float] | None:
        """(place in line from 1, expected seconds until it starts), or None when not waiting.
        Each worker thread is a slot: running tasks free theirs after their expected cost
        (at least a tenth of it, when they overrun), and the tasks ahead take theirs in turn,
        every slot busy meanwhile (see crowding)."""
        ordered = self.order()
        if ticket not in ordered:
            return None
        slow, crowded = self.slowdown(), self.crowding(slots)
        frees = []
        for running in self.running():
            if running.yields:  # a head start frees its slot once it has given way
                asked = now if running.asked_at is None else running.asked_at
                frees.append(max(0.0, self.give_way - (now - asked)))
                continue
            rated = self.rate(running.kind) * running.size * crowded
            own = running.projected(self.epoch_share) is not None  # then it says its own speed
            expected = rated if own else rated * slow
            frees.append(running.remaining(now, expected, self.epoch_share))
        frees.extend([0.0] * max(0, slots - len(frees)))
        heapq.heapify(frees)
        if not frees:
            frees = [0.0]
        for place, waiting in enumerate(ordered, start=1):
            free_at = heapq.heappop(frees)
            if waiting is ticket:
                return place, free_at
            heapq.heappush(frees, free_at + self.rate(waiting.kind) * waiting.size * crowded * slow)
        return None
