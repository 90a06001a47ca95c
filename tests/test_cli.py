"""The command line end to end on a tiny config, and its one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.__main__ import main
from core.config import DataConfig
from core.models.forecasters import FORECASTERS

REPO = Path(__file__).resolve().parents[1]
TINY = [
    "--length", "300", "--seasonal-periods", "30", "--seasonal-amplitudes", "5",
    "--test-size", "50", "--lookback", "5", "--units", "4", "--epochs", "2", "--horizon", "7",
]  # fmt: skip


def run_cli(
    *args: str, home: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m core ARGS` in a process of its own (`env`: extra variables)."""
    environment = {**os.environ, "FORECAST_LAB_HOME": str(home), "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "core", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_main(capsys, *args: str) -> subprocess.CompletedProcess:
    """`python -m core ARGS` as core.__main__.main in this process, on the session's cluster
    (no interpreter, import or cluster start per call); what the process would have printed
    and its exit code. Each command keeps one test that runs it in a process of its own."""
    capsys.readouterr()  # only what the command prints
    try:
        code = main(list(args))
    except SystemExit as exiting:  # argparse's own refusals
        code = exiting.code if isinstance(exiting.code, int) else 2
    printed = capsys.readouterr()
    return subprocess.CompletedProcess(
        ["python", "-m", "core", *args], code, printed.out, printed.err
    )


def test_train_prints_a_json_summary_and_the_second_call_is_cached(isolated_home, capsys):
    first = run_cli("train", *TINY, "--json", home=isolated_home)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert summary["cached"] is False
    assert summary["source"] == "synthetic" and summary["task"] == "regression"
    assert summary["model"]["model"]["units"] == 4
    assert summary["epochs_run"] >= 1 and summary["train_seconds"] > 0
    for part in ("test", "test_scaled"):
        assert set(summary["metrics"][part]) >= {"mse", "rmse", "mae", "mape", "r2"}
    assert set(summary["baselines"]) == set(FORECASTERS)
    recipe = summary["recipe"]
    assert recipe["epochs"] == {
        "value": 2,
        "reason": "as set (maximum epochs)",
        "chosen_from_data": False,
    }  # --epochs given: used as given
    assert recipe["batch_size"]["chosen_from_data"] and recipe["season"]["value"] == 7
    assert recipe["log_scale"]["value"] is False
    assert summary["noise_floor_mse"] > 0
    assert set(summary["intervals"]["coverage"]) == {"80", "95"}
    assert len(summary["forecast"]) == 7 and "date" in summary["forecast"][0]
    span = summary["test_span"]  # the last 50 of 300 days from 2018-01-01
    assert span == {"first_date": "2018-09-08", "last_date": "2018-10-27", "steps": 50}
    assert summary["series"]["last_date"] == span["last_date"]
    assert summary["forecast"][0]["date"] == "2018-10-28"
    assert "epoch 1/2" in first.stderr  # per-epoch progress goes to stderr

    second = run_main(capsys, "train", *TINY, "--json")  # the same home, in this process
    again = json.loads(second.stdout.strip().splitlines()[-1])
    assert again["cached"] is True and again["run_key"] == summary["run_key"]


@pytest.mark.parametrize(
    ("args", "expected", "own_process"),
    [
        (["train", "--units", "0"], "Units per layer (0) must be between", True),
        (["train", "--source", "csv"], "needs a file", False),
        (["train", "--length", "300", "--test-size", "50", "--lookback", "400"], "window", False),
        (["train", "--csv", "/nonexistent.csv", "--source", "csv"], "nonexistent.csv", False),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_and_no_traceback(
    isolated_home, capsys, args, expected, own_process
):
    if own_process:
        result = run_cli(*args, home=isolated_home)
    else:
        result = run_main(capsys, *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    assert result.stderr.strip().startswith("error:")


def test_a_family_flag_brings_the_family_starting_values_and_given_flags_win():
    from core.__main__ import build_parser, request_from_args
    from core.config import TrainConfig
    from core.models.families import FAMILY_REGISTRY

    family = FAMILY_REGISTRY["simple_rnn"]
    assert family.training_defaults, "the test needs a family with its own starting values"
    plain = request_from_args(build_parser().parse_args(["train"]))
    starting = family.starting_training(plain.train)

    chosen = request_from_args(build_parser().parse_args(["train", "--family", "simple_rnn"]))
    assert chosen.train.learning_rate == starting.learning_rate != TrainConfig().learning_rate
    assert chosen.model.dropout_rate == dict(family.model_defaults)["dropout_rate"]
    given = build_parser().parse_args(
        ["train", "--family", "simple_rnn", "--learning-rate", "0.005", "--dropout-rate", "0"]
    )
    assert request_from_args(given).train.learning_rate == 0.005
    assert request_from_args(given).model.dropout_rate == 0
    lstm = request_from_args(build_parser().parse_args(["train", "--family", "lstm"]))
    assert lstm.train.learning_rate == TrainConfig().learning_rate  # no values of its own


def test_the_chaotic_generator_without_a_noise_level_gets_the_data_page_preset():
    from core.__main__ import build_parser, request_from_args
    from core.data.sources.synthetic import nonlinear_demo_request

    chaotic = request_from_args(build_parser().parse_args(["train", "--generator", "mackey_glass"]))
    assert chaotic.data.noise_level == nonlinear_demo_request().data.noise_level
    noisy = build_parser().parse_args(
        ["train", "--generator", "mackey_glass", "--noise-level", "2"]
    )
    assert request_from_args(noisy).data.noise_level == 2
    default = request_from_args(build_parser().parse_args(["train"]))
    assert default.data.noise_level == DataConfig().noise_level
