"""How many cores the worker threads can use (core.runs.capacity): per machine, the fewer of its
workers' threads and its cores; each worker is asked for its machine's cores once."""

from __future__ import annotations

from core.runs.capacity import Cores, usable_cores
from core.runs.preload import machine_cores


def workers(*rows: tuple[str, str, int]) -> dict[str, dict]:
    return {address: {"host": host, "nthreads": threads} for address, host, threads in rows}


def test_workers_on_one_machine_share_its_cores_and_another_machine_adds_its_own():
    local = workers(("tcp://a:1", "a", 1), ("tcp://a:2", "a", 1), ("tcp://a:3", "a", 1))
    cores = {"tcp://a:1": 2, "tcp://a:2": 2, "tcp://a:3": 2}
    assert usable_cores(local, cores) == 2  # three single-threaded workers, 2 cores
    other = {**local, **workers(("tcp://b:1", "b", 2))}
    assert usable_cores(other, {**cores, "tcp://b:1": 4}) == 4  # 2 + its 2 threads
    assert usable_cores(other, cores) == 4  # a worker not asked yet counts its threads


class Client:
    def __init__(self, answers: dict[str, int], fails: bool = False) -> None:
        self.answers, self.fails, self.asked = answers, fails, []

    def run(self, function, workers):
        assert function is machine_cores
        self.asked.append(list(workers))
        if self.fails:
            raise OSError("worker gone")
        return {address: self.answers[address] for address in workers}


def test_each_worker_is_asked_once_and_one_that_cannot_say_counts_its_threads():
    two = workers(("tcp://a:1", "a", 1), ("tcp://a:2", "a", 1))
    client = Client({"tcp://a:1": 1, "tcp://a:2": 1, "tcp://a:3": 1})
    cores = Cores()
    assert cores.usable(client, two) == 1  # a 1-core machine
    assert cores.usable(client, two) == 1
    three = {**two, **workers(("tcp://a:3", "a", 1))}
    assert cores.usable(client, three) == 1
    assert client.asked == [["tcp://a:1", "tcp://a:2"], ["tcp://a:3"]]
    assert cores.usable(Client({}, fails=True), workers(("tcp://c:1", "c", 2))) == 2
    assert cores.by_worker == {"tcp://c:1": 2}  # the gone ones forgotten


def test_a_worker_says_the_cores_dask_counts_for_it():
    import dask.system

    assert machine_cores() == dask.system.CPU_COUNT >= 1
