"""The backtest and inspect commands: their --json lines parse and hold what the pages read.
Both run in processes of their own on the session's cluster (no cluster start per command)."""

from __future__ import annotations

import json

from tests.test_cli import TINY, run_cli


def test_backtest_and_inspect_print_json(isolated_home, session_scheduler):
    backtest = run_cli(
        "backtest", *TINY, "--folds", "2", "--json", home=isolated_home, env=session_scheduler
    )
    assert backtest.returncode == 0, backtest.stderr
    report = json.loads(backtest.stdout.strip().splitlines()[-1])
    assert [row["fold"] for row in report["cutoffs"]] == [1, 2]
    assert report["cutoffs"][0]["cutoff"] < report["cutoffs"][1]["cutoff"]
    assert {"network", "holt_winters", "linear_ar"} <= set(report["cutoffs"][0]["metrics"])
    assert "mean" in backtest.stdout and "spread" in backtest.stdout

    inspect = run_cli(
        "inspect", *TINY, "--family", "gru", "--json", home=isolated_home, env=session_scheduler
    )
    assert inspect.returncode == 0, inspect.stderr
    inside = json.loads(inspect.stdout.strip().splitlines()[-1])
    assert inside["family"] == "gru" and set(inside["layers"][0]["gates"]) == {"update", "reset"}
    assert len(inside["lag_weights"]) == 5
