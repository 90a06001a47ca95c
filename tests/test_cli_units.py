"""The command line says errors as the Results page does: readable numbers ("4,339,470", never
"4.33947e+06") and, on Bitcoin / S&P 500 runs, the typical error (RMSE) in dollars."""

from __future__ import annotations

import json
import math
import re

import pytest
import yfinance

from core.__main__ import main
from core.units import readable, score_lines, typical_error

DOLLARS = re.compile(r"typical error \(RMSE\) \$([\d,.]+)")


@pytest.fixture
def offline(monkeypatch, isolated_home):
    """No download: the S&P 500 comes from the bundled snapshot, as on an offline machine."""

    def no_network(*args, **kwargs):
        raise ConnectionError("offline in tests")

    monkeypatch.setattr(yfinance, "download", no_network)
    monkeypatch.setenv("FORECAST_LAB_CDD_URL", "http://127.0.0.1:9/cdd")
    return isolated_home


def test_large_errors_read_plainly_and_prices_carry_dollars():
    lines = score_lines(4.33947e6, 1540.0, 0.0012, {"naive": 4.29e6}, None)
    assert not any("e+" in line for line in lines), lines
    assert lines[0].startswith("test MSE 4,339,470  MAE 1,540"), lines
    priced = score_lines(4.33947e6, 1540.0, 0.0012, {"naive": 4.29e6}, None, currency="$")
    assert DOLLARS.findall("\n".join(priced)) == ["2,083", "2,071"], priced


def test_a_market_run_on_the_command_line_prints_its_typical_error_in_dollars(offline, capsys):
    code = main(
        ["train", "--source", "sp500", "--start-date", "2023-01-01", "--end-date", "2023-12-31",
         "--test-size", "40", "--lookback", "5", "--units", "4", "--epochs", "1", "--json"]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    summary = json.loads(printed.strip().splitlines()[-1])
    assert "e+" not in printed.replace(printed.strip().splitlines()[-1], "")
    said = DOLLARS.findall(printed)
    test_mse = summary["metrics"]["test"]["mse"]
    # first the network's, then one per simple rule, each the root of its test MSE
    assert said[0] == typical_error(test_mse, "$").removeprefix("$"), printed
    assert f"MSE {readable(test_mse)}" in printed
    rules = [figures["test"]["mse"] for figures in summary["baselines"].values()]
    assert said[1:] == [readable(math.sqrt(mse)) for mse in rules], printed
