"""Why a Dask worker running a task was lost, in words: core.runs.cluster turns Dask's
KilledWorker into this message. The evidence is what Dask provides:

- the nanny's own memory-limit termination: its "worker-restart-memory" event, sent when the
  worker held more than `distributed.worker.memory.terminate` (95%) of its memory limit;
- how the worker process ended (exit status or signal), reported by ExitReport, a nanny plugin:
  the nanny is the worker's parent, the only one that sees its end. With it go the worker's
  last resident memory (sampled every SAMPLE_SECONDS) and whether the kernel's out-of-memory
  killer struck as it ended (the oom_kill counter of /proc/vmstat; cgroup kills count there);
- the memory each worker last reported to the scheduler (the cluster asks about once a second);
- no report from a nanny: the nanny went with its worker, so the machine or the connection to
  it was lost.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from distributed.core import Status
from distributed.diagnostics.plugin import NannyPlugin
from tornado.ioloop import PeriodicCallback

logger = logging.getLogger(__name__)

EXIT_TOPIC = "forecast-lab-worker-exit"
MEMORY_TOPIC = "worker-restart-memory"  # the nanny's own event (distributed.worker_memory)
SAMPLE_SECONDS = 0.2
# A killed process can look alive for a moment after the kernel's OOM killer counted it (it has
# to be scheduled to die; longer on a loaded machine), so a rise of the counter within this many
# seconds before the end counts as the OOM killer's.
OOM_WINDOW_SECONDS = 2.0
EVIDENCE_SECONDS = 5.0  # how long a lost task waits for its nanny's report (none: machine lost)
NEAR_LIMIT = 0.9  # a worker holding this share of its limit when it ended was out of memory
KEPT = 200  # evidence kept per kind (newest)
VMSTAT = Path("/proc/vmstat")

MEMORY_LIMIT, SYSTEM_MEMORY, SIGNALLED, EXITED, LOST = (
    "memory limit",
    "machine out of memory",
    "signal",
    "exit",
    "lost",
)


def oom_kills() -> int | None:
    """How many processes the kernel's out-of-memory killer has ended since boot (None: the
    counter cannot be read here)."""
    try:
        for line in VMSTAT.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == "oom_kill":
                return int(value)
    except (OSError, ValueError):
        pass
    return None


@dataclass(frozen=True)
class WorkerLoss:
    """What is known of one lost worker (bytes for memory)."""

    host: str
    exit_code: int | None = None  # None: no report from its nanny
    memory_kill: int | None = None  # its resident memory when the nanny stopped it for it
    oom_killer: bool | None = None  # the kernel's OOM killer struck as it ended (None: unknown)
    memory: int | None = None  # its last resident memory, as sampled or reported
    memory_limit: int | None = None

    @property
    def near_limit(self) -> bool:
        return bool(self.memory and self.memory_limit) and (
            self.memory >= NEAR_LIMIT * self.memory_limit
        )

    @property
    def cause(self) -> str:
        if self.memory_kill is not None:
            return MEMORY_LIMIT
        if self.exit_code is None:
            return LOST
        if self.exit_code == -signal.SIGKILL and (
            self.oom_killer or (self.oom_killer is None and self.near_limit)
        ):
            return SYSTEM_MEMORY
        if self.exit_code == -signal.SIGTERM and self.near_limit:
            return MEMORY_LIMIT  # the nanny's SIGTERM, its event not received
        return SIGNALLED if self.exit_code < 0 else EXITED


def _size(count: int | None) -> str:
    if not count:
        return "an unknown amount"
    if count >= 2**30:
        return f"{count / 2**30:.1f} GB"
    return f"{count / 2**20:,.0f} MB"


def _signal_name(number: int) -> str:
    try:
        return f"{signal.Signals(number).name}, {number}"
    except ValueError:
        return str(number)


def describe(loss: WorkerLoss, tries: int = 2) -> str:
    """The page's message: what happened to the worker, that nothing was saved, what to do."""
    held = _size(loss.memory_kill or loss.memory)
    limit = f" of its {_size(loss.memory_limit)} limit" if loss.memory_limit else ""
    cause = loss.cause
    if cause == MEMORY_LIMIT:
        what = (
            f"ran out of memory: it held {held}{limit}, so Dask stopped it and started a fresh one"
        )
        advice = "Lower the look-back window, the units or the batch size, then try again."
    elif cause == SYSTEM_MEMORY:
        what = (
            f"ran out of memory: the machine had none left, and the operating system's "
            f"out-of-memory killer stopped it (it held {held}{limit})"
        )
        advice = (
            "Close other programs on that machine or lower the look-back window, the units or "
            "the batch size, then try again."
        )
    elif cause == SIGNALLED:
        what = (
            f"was killed from outside the app (signal {_signal_name(-(loss.exit_code or 0))}) "
            f"while it held {held}{limit}: not for lack of memory, something on the machine "
            "(a kill command, a task manager, a shutdown) ended it"
        )
        advice = "Nothing in your settings caused it: press the button again."
    elif cause == EXITED:
        what = f"crashed: its process ended with exit status {loss.exit_code}"
        advice = "Press the button again; if it happens again, the server's log says more."
    else:
        what = (
            f"was lost with its machine ({loss.host}): the connection to it dropped (the "
            "machine left the cluster, was switched off or its network failed)"
        )
        if loss.near_limit:
            what += f"; it last reported {held}{limit}, so it may have run out of memory"
        advice = "Press the button again: the task runs on the workers that remain."
    tried = f"It was tried {tries} times; n" if tries > 1 else "N"
    return f"The worker running this task {what}. {tried}othing was saved. {advice}"


class ExitReport(NannyPlugin):
    """In each nanny: report how its worker process ended (EXIT_TOPIC), with its last resident
    memory and whether the kernel's OOM killer struck. Hooks the nanny's exit callback, which
    Dask offers no public way to observe (the version is pinned; a test kills a real worker)."""

    name = "forecast-lab-exit-report"
    idempotent = True

    def setup(self, nanny: Any) -> None:
        self._nanny = nanny
        self._pid: int | None = None
        self._address: str | None = None
        self._memory = 0
        self._counters: deque[tuple[float, int | None]] = deque([(time.monotonic(), oom_kills())])
        original = nanny._on_worker_exit_sync

        def on_exit(exit_code: int) -> None:
            try:
                self._report(exit_code)
            finally:
                original(exit_code)

        nanny._on_worker_exit_sync = on_exit  # the worker processes it starts from now on
        if nanny.process is not None:
            nanny.process.on_exit = on_exit  # the one running now
        self._sampler = PeriodicCallback(self._sample, SAMPLE_SECONDS * 1000)
        self._sampler.start()

    def teardown(self, nanny: Any) -> None:
        self._sampler.stop()

    def _sample(self) -> None:
        process = self._nanny.process
        pid = getattr(getattr(process, "process", None), "pid", None)
        if pid is None:
            return
        if pid != self._pid:  # a new worker process: nothing known of it yet
            self._pid, self._memory, self._address = pid, 0, None
        if process.status == Status.running:  # its address is its own once it has connected
            self._address = process.worker_address
        counter = oom_kills()  # read before the process is seen alive: a rise at its end is
        try:  # the OOM killer
            worker = psutil.Process(pid)
            with worker.oneshot():
                if worker.status() == psutil.STATUS_ZOMBIE:  # ended, not yet reaped
                    return
                memory = worker.memory_info().rss
        except psutil.Error:
            return
        if memory:
            self._memory = memory
            self._counters.append((time.monotonic(), counter))
            while len(self._counters) > 1 and self._counters[1][0] < time.monotonic() - 60:
                self._counters.popleft()

    def _counter_before(self, moment: float) -> int | None:
        """The OOM counter of the last sample of a live worker taken before `moment` (else the
        oldest kept)."""
        earlier = [counter for taken, counter in self._counters if taken <= moment]
        return earlier[-1] if earlier else self._counters[0][1]

    def _report(self, exit_code: int) -> None:
        """About the process the sampler last saw (pid and address); one that ended before it
        was seen goes without them, so no loss is ever explained by an earlier process's end."""
        now = oom_kills()
        before = self._counter_before(time.monotonic() - OOM_WINDOW_SECONDS)
        pid, address, self._pid, self._address = self._pid, self._address, None, None
        self._nanny.log_event(
            EXIT_TOPIC,
            {
                "worker": address,
                "pid": pid,
                "exit_code": exit_code,
                "memory": self._memory,
                "memory_limit": self._nanny.memory_manager.memory_limit,
                "oom_killer": None if now is None or before is None else now > before,
            },
        )


class LossWitness:
    """On the client: gathers the evidence above and explains a KilledWorker with it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        # (worker address, process id): the report on that process's end
        self._exits: OrderedDict[tuple[str, int], dict] = OrderedDict()
        self._memory_kills: OrderedDict[tuple[str, int], dict] = OrderedDict()
        self._reported: dict[str, tuple[int, int]] = {}  # address: (memory, limit)

    def attach(self, client: Any) -> None:
        """Listen for the nannies' reports and install ExitReport in every nanny (those that
        join later get it from the scheduler)."""
        client.subscribe_topic(EXIT_TOPIC, self._on_exit)
        client.subscribe_topic(MEMORY_TOPIC, self._on_memory_kill)
        try:
            client.register_plugin(ExitReport())
        except Exception:  # a scheduler that cannot import this module: reports go without it
            logger.warning("could not install the worker exit report", exc_info=True)

    def saw_workers(self, workers: dict[str, dict]) -> None:
        """The scheduler's view of its workers (scheduler_info()["workers"])."""
        for address, info in workers.items():
            memory = int((info.get("metrics") or {}).get("memory") or 0)
            self._reported[address] = (memory, int(info.get("memory_limit") or 0))

    def _keep(self, kept: OrderedDict[tuple[str, int], dict], message: dict) -> None:
        if not message.get("worker") or not message.get("pid"):
            return  # a process that ended before it was known: it explains no loss
        with self._changed:
            process = (str(message["worker"]), int(message["pid"]))
            kept[process] = message
            kept.move_to_end(process)
            while len(kept) > KEPT:
                kept.popitem(last=False)
            self._changed.notify_all()

    def _on_exit(self, event: tuple[float, dict]) -> None:
        self._keep(self._exits, event[1])

    def _on_memory_kill(self, event: tuple[float, dict]) -> None:
        self._keep(self._memory_kills, event[1])

    def loss(
        self,
        address: str,
        pid: int | None = None,
        memory_limit: int | None = None,
        wait: float = EVIDENCE_SECONDS,
    ) -> WorkerLoss:
        """The evidence on the worker process `pid` at `address`, waiting up to `wait` seconds
        for its nanny's report (it may trail the scheduler's news of the loss). Only a report
        on that very process counts: never one on an earlier process at the same address (a
        restarted worker may get its port again), and none at all without `pid`."""

        def about(kept: OrderedDict[tuple[str, int], dict]) -> dict | None:
            return kept.get((address, int(pid))) if pid else None

        deadline = time.monotonic() + wait
        with self._changed:
            while about(self._exits) is None and about(self._memory_kills) is None:
                left = deadline - time.monotonic()
                if left <= 0 or not pid:
                    break
                self._changed.wait(left)
            ended = about(self._exits) or {}
            memory_kill = about(self._memory_kills)
        reported_memory, reported_limit = self._reported.get(address, (0, 0))
        return WorkerLoss(
            host=address.split("://")[-1].rsplit(":", 1)[0],
            exit_code=ended.get("exit_code"),
            memory_kill=None if memory_kill is None else int(memory_kill.get("rss") or 0),
            oom_killer=ended.get("oom_killer"),
            memory=ended.get("memory") or reported_memory or None,
            memory_limit=ended.get("memory_limit") or memory_limit or reported_limit or None,
        )

    def explain(self, error: Any) -> str:
        """The message for a KilledWorker (its last worker is the one explained)."""
        last = error.last_worker
        loss = self.loss(last.address, last.pid, last.memory_limit)
        logger.warning("task %s lost its worker %s: %s", error.task, last.address, loss)
        return describe(loss, tries=error.allowed_failures + 1)
