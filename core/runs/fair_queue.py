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
# trace first. Measured per server from then on (FairQueue.gave_way).
GIVE_WAY_SECONDS = 8.0


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

    def projected(self, now: float) -> float | None:
        """Its whole duration projected from its epochs so far (None before the first)."""
        if self.progress is None or self.started_at is None or self.progress[0] <= 0:
            return None
        done, most = self.progress
        return (now - self.started_at) / done * max(done, most)


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
            if self._running.pop(ticket.number, None) is None or ticket.started_at is None:
                return
            if measured:
                seconds = max(0.0, now - ticket.started_at) / max(ticket.size, 1e-9)
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

    def cost(self, kind: str, now: float | None = None) -> float:
        """Seconds per unit of size of a task of this kind: the running average of those
        finished; else of the finished kinds sharing its prefix ("train_request:gru" learns
        from "train_request:lstm"); before any has, projected from the epochs of those running;
        else the prefix's prior; else a guess."""
        prefix = kind.split(":", 1)[0]
        with self._lock:
            if kind in self._costs:
                return self._costs[kind]
            related = [cost for name, cost in self._costs.items() if name.split(":")[0] == prefix]
            if related:
                return sum(related) / len(related)
            if now is not None:
                projections = [
                    projection / max(ticket.size, 1e-9)
                    for ticket in self._running.values()
                    if ticket.kind.split(":", 1)[0] == prefix
                    and (projection := ticket.projected(now)) is not None
                ]
                if projections:
                    return sum(projections) / len(projections)
            if prefix in self.priors:
                return self.priors[prefix]
            # An unknown kind is guessed from the last kind measured.
            return next(reversed(self._costs.values()), DEFAULT_SECONDS)

    def expected(self, ticket: Ticket, now: float | None = None) -> float:
        """A ticket's expected duration (seconds): its kind's cost per unit times its size."""
        return self.cost(ticket.kind, now) * ticket.size

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
        (at least a tenth of it, when they overrun), and the tasks ahead take theirs in turn."""
        ordered = self.order()
        if ticket not in ordered:
            return None
        frees = []
        for running in self.running():
            if running.yields:  # a head start frees its slot once it has given way
                asked = now if running.asked_at is None else running.asked_at
                frees.append(max(0.0, self.give_way - (now - asked)))
                continue
            expected = running.projected(now) or self.expected(running, now)
            elapsed = 0.0 if running.started_at is None else now - running.started_at
            frees.append(max(expected - elapsed, 0.1 * expected))
        frees.extend([0.0] * max(0, slots - len(frees)))
        heapq.heapify(frees)
        if not frees:
            frees = [0.0]
        for place, waiting in enumerate(ordered, start=1):
            free_at = heapq.heappop(frees)
            if waiting is ticket:
                return place, free_at
            heapq.heappush(frees, free_at + self.expected(waiting, now))
        return None
