"""`python -m core tune` and `sweep`: per-trial rows, the best trial as the last JSON line, and
one-line errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.__main__ import main
from core.runs import cluster
from core.tuning.cli import _worker_pool
from core.tuning.space import Parameter, SearchSpace
from tests.test_cli import run_main

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_tune_prints_rows_and_the_best_trial_as_json(tmp_path, capsys, dask_cluster):
    space = SearchSpace(
        name="cli",
        parameters=(
            Parameter("units", "int", 2, 4),
            Parameter("lookback", "categorical", choices=(5,)),
        ),
    )
    path = tmp_path / "space.json"
    path.write_text(space.to_json())
    arguments = ["tune", "--strategy", "random", "--space", str(path), "--trials", "2"]
    arguments += ["--family", "dense", "--epochs", "1", "--study", "cli-test", "--json"]
    assert main(arguments) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert sum(line.startswith("trial ") for line in lines) == 2
    summary = json.loads(lines[-1])
    assert summary["study"] == "cli-test" and summary["stop_reason"] == "trials"
    assert summary["objective"] == "validation_mse"
    assert summary["best"]["value"] == summary["best"]["validation_mse"]
    assert summary["best"]["test_mse"] > 0  # reported beside the objective, never chosen on
    assert summary["best"]["params"]["lookback"] == 5
    assert summary["naive"]["mse"] > 0
    assert main(["tune", "--list"]) == 0
    assert "cli-test" in capsys.readouterr().out
    assert cluster.get_cluster() is dask_cluster  # the caller's cluster outlives the command
    assert dask_cluster.client().scheduler_info()["workers"]


def test_a_command_closes_the_worker_pool_it_started(dask_cluster):
    cluster.use(None)  # as in `python -m core tune`: no cluster before the command
    try:
        with _worker_pool():
            started = cluster.get_cluster()  # made by the command's first trial
        assert started is not dask_cluster and not cluster.exists()
    finally:
        cluster.use(dask_cluster)


@pytest.mark.parametrize(
    "arguments, fragment, own_process",
    [
        (["tune", "--space", "/no/such.json"], "neither a preset", False),
        (["tune", "--trials", "0"], "at least 1", True),
        (["tune", "worker", "--study", "missing"], "no study named 'missing'", False),
        (["sweep", "--layers", "a-b"], "not a list of whole numbers", True),
        (["sweep", "--layers", "1"], "no family can be built with 1 layers", False),
    ],
)
def test_bad_input_gives_one_line_and_no_traceback(capsys, arguments, fragment, own_process):
    # One refusal per command in a process of its own (tune worker's: tests/tuning/test_workers);
    # the others through main() in this process, as the process would run it.
    completed = run_cli(*arguments) if own_process else run_main(capsys, *arguments)
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]


def test_sweep_prints_rows_and_the_best_run_as_json(capsys):
    arguments = ["sweep", "--family", "dense", "--layers", "1", "--activations", "tanh"]
    arguments += ["--units", "4", "--units-sweep", "none", "--length", "700", "--epochs", "1"]
    assert main([*arguments, "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("architecture dense")
    summary = json.loads(lines[-1])
    assert summary["best"]["units"] == 4 and summary["best"]["layers"] == 1
    assert {row["family"] for row in summary["rows"]} == {"dense", "naive"}
    assert main(arguments) == 0
    assert "0 trained, 1 from the run store" in capsys.readouterr().out
