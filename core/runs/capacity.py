"""How many cores the worker threads can use: per machine, the fewer of its workers' threads
and its cores. Three workers joined on one 2-core machine run three trainings at two thirds of
the speed each, and the waits the page promises must say so (core.runs.fair_queue.FairQueue
.crowding); two workers on two machines of 2 cores run at full speed."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from core.runs.preload import machine_cores

logger = logging.getLogger(__name__)


class Cores:
    """Each worker's machine's cores, asked once per worker (a round trip to it)."""

    def __init__(self) -> None:
        self.by_worker: dict[str, int] = {}

    def usable(self, client: Any, workers: dict[str, dict]) -> int:
        """usable_cores of the scheduler's `workers`, asking the new ones for their cores (a
        worker that cannot say counts its threads; the gone ones are forgotten)."""
        known = {
            address: self.by_worker[address] for address in workers if address in self.by_worker
        }
        new = [address for address in workers if address not in known]
        try:
            known.update(client.run(machine_cores, workers=new) if new else {})
        except Exception:  # a worker gone meanwhile (or one that cannot say): its threads
            logger.warning("could not ask the new Dask workers for their cores", exc_info=True)
            known.update({address: int(workers[address].get("nthreads", 1)) for address in new})
        self.by_worker = known
        return usable_cores(workers, known)


def usable_cores(workers: dict[str, dict], cores: dict[str, int]) -> int:
    """Cores the worker threads can use: per machine (a worker's "host"), the fewer of its
    workers' threads and its cores (`cores`, per worker address; a worker not in it counts its
    threads). `workers`: the scheduler's view (address -> {"host", "nthreads", ...})."""
    threads: Counter[str] = Counter()
    host_cores: dict[str, int] = {}
    for address, worker in workers.items():
        host = str(worker.get("host", address))
        count = int(worker.get("nthreads", 1))
        threads[host] += count
        host_cores[host] = max(host_cores.get(host, 0), int(cores.get(address, count)))
    return sum(min(count, host_cores[host]) for host, count in threads.items())
