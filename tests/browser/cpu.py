"""CPU seconds per process group over a benchmark run, which a shared machine cannot fake: wall
times grow when other work shares the cores, the CPU seconds a process spent do not (much).

    with CpuMeter() as meter:
        ...  # start the server, the browsers, the trainings
    print(meter.report())

A sampler thread walks this process's descendants about once a second and keeps each one's
latest user + system seconds (a process that ends between two samples loses at most that last
second). Groups: the page server (Streamlit, which also holds the embedded Dask scheduler and
the nannies), each Dask worker process, a joined `dask worker` (nanny and worker), Chromium's
processes by type (browser, renderer, gpu-process, utility, zygote), Playwright's driver and
this benchmark process; next to them, the CPU seconds the whole machine spent (so what other
work took) and the 1-minute load average.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import psutil

SAMPLE_SECONDS = 1.0


@dataclass
class _Seen:
    group: str
    seconds: float = 0.0
    first: float = 0.0  # its CPU seconds when first seen (a process older than the meter)


@dataclass
class CpuMeter:
    """Samples CPU seconds per process group from start() to stop()."""

    interval: float = SAMPLE_SECONDS
    seen: dict[tuple[int, float], _Seen] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)
    workers: dict[int, str] = field(default_factory=dict)  # worker pid -> "Dask worker N"

    def __enter__(self) -> CpuMeter:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._stop = threading.Event()
        self._machine_start = _busy_seconds()
        self._wall_start = time.monotonic()
        self._born_after = time.time()
        self._own_start = _cpu(psutil.Process())
        self._thread = threading.Thread(target=self._loop, name="cpu-meter", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        self._machine = _busy_seconds() - self._machine_start
        self._wall = time.monotonic() - self._wall_start
        self._own = _cpu(psutil.Process()) - self._own_start

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        self.loads.append(os.getloadavg()[0])
        try:
            processes = psutil.Process().children(recursive=True)
        except psutil.Error:
            return
        for process in processes:
            try:
                with process.oneshot():
                    key = (process.pid, process.create_time())
                    seconds = _cpu(process)
                    if key not in self.seen:  # born after the meter started: counted from 0
                        first = seconds if key[1] < self._born_after else 0.0
                        self.seen[key] = _Seen(self._group(process), seconds, first)
                    self.seen[key].seconds = seconds
            except psutil.Error:  # it ended meanwhile: its last sample stands
                continue

    def _group(self, process: psutil.Process) -> str:
        command = " ".join(process.cmdline())
        name = process.name().lower()
        if "streamlit" in command:
            return "page server (Streamlit, scheduler, nannies)"
        if "dask_worker" in command or "dask-worker" in command:
            return "joined dask worker (nanny)"
        parent = process.parent()
        parent_command = " ".join(parent.cmdline()) if parent is not None else ""
        if "dask_worker" in parent_command or "dask-worker" in parent_command:
            return "joined dask worker"
        if "streamlit" in parent_command:
            if "resource_tracker" in command:
                return "page server helpers"
            if process.pid not in self.workers:  # numbered in the order they appear
                self.workers[process.pid] = f"Dask worker {len(self.workers) + 1}"
            return self.workers[process.pid]
        browser = browser_group(process)
        return browser if browser is not None else f"other ({name})"

    def checkpoint(self) -> dict[str, float]:
        """CPU seconds per group so far (sampled now); subtract two for a phase's."""
        self.sample()
        totals: dict[str, float] = {}
        for seen in self.seen.values():
            totals[seen.group] = totals.get(seen.group, 0.0) + seen.seconds - seen.first
        return totals

    def groups(self) -> dict[str, float]:
        """CPU seconds per group spent while the meter ran."""
        totals: dict[str, float] = {}
        for seen in self.seen.values():
            totals[seen.group] = totals.get(seen.group, 0.0) + seen.seconds - seen.first
        totals["this benchmark process"] = self._own
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def report(self, trainings: int | None = None) -> str:
        groups = self.groups()
        ours = sum(groups.values())
        cores = psutil.cpu_count() or 1
        lines = [
            f"CPU seconds over {self._wall:.0f} s of wall time ({cores} cores: "
            f"{self._wall * cores:.0f} core-seconds); 1-minute load min "
            f"{min(self.loads, default=0):.1f} / median {_median(self.loads):.1f} / max "
            f"{max(self.loads, default=0):.1f}",
        ]
        for group, seconds in groups.items():
            lines.append(f"  {group:<46} {seconds:8.1f} s  {100 * seconds / max(ours, 1e-9):5.1f}%")
        workers = sum(s for g, s in groups.items() if "worker" in g and "nanny" not in g)
        chromium = sum(s for g, s in groups.items() if g.startswith("Chromium"))
        lines.append(f"  {'Chromium, all processes':<46} {chromium:8.1f} s")
        lines.append(f"  {'all of this benchmark':<46} {ours:8.1f} s")
        lines.append(
            f"  {'the whole machine (others: the difference)':<46} {self._machine:8.1f} s  "
            f"(others {max(0.0, self._machine - ours):.1f} s)"
        )
        if trainings:
            lines.append(
                f"  per training: workers {workers / trainings:.1f} s, page server "
                f"{groups.get('page server (Streamlit, scheduler, nannies)', 0) / trainings:.1f} s,"
                f" Chromium {chromium / trainings:.1f} s"
            )
        return "\n".join(lines)


def browser_group(process: psutil.Process) -> str | None:
    """ "Chromium (<type>)" or "Playwright driver" for the browsers' processes, else None."""
    name, command = process.name().lower(), " ".join(process.cmdline())
    if "chrom" in name or "headless" in name:
        kind = next((part[7:] for part in process.cmdline() if part.startswith("--type=")), "")
        return f"Chromium ({kind or 'browser'})"
    if "node" in name or "playwright" in command:
        return "Playwright driver"
    return None


def renice_browsers(niceness: int) -> None:
    """Keep every Chromium and Playwright process this benchmark starts at `niceness` (new
    renderers inherit it from their parent; the others are caught within half a second)."""
    while True:
        for process in psutil.Process().children(recursive=True):
            try:
                if browser_group(process) is not None and process.nice() < niceness:
                    process.nice(niceness)
            except psutil.Error:
                continue
        time.sleep(0.5)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _busy_seconds() -> float:
    times = psutil.cpu_times()
    return (
        times.user
        + times.system
        + getattr(times, "nice", 0.0)
        + getattr(times, "irq", 0.0)
        + (getattr(times, "softirq", 0.0))
    )


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def phase_words(before: dict[str, float], after: dict[str, float]) -> str:
    """'page server 1.2 s, Dask worker 1 3.4 s, ...' between two checkpoints."""
    deltas = {group: after.get(group, 0.0) - before.get(group, 0.0) for group in after}
    shown = [
        (group.split(" (")[0], seconds) for group, seconds in deltas.items() if seconds >= 0.05
    ]
    return ", ".join(
        f"{group} {seconds:.1f} s" for group, seconds in sorted(shown, key=lambda g: -g[1])
    )
