"""The page server never imports TensorFlow: a fresh process renders Results for a run trained in
a Dask worker, moves the horizon slider past the stored forecast, and checks sys.modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
from core.runs import cluster
from core.runs.store import RunStore
from core.runs.worker import run_in_pool
from tests.app.conftest import TINY, open_page

trained = run_in_pool(TINY, store=RunStore())
at = open_page("pages/results.py", TINY)
at.slider(key="w.results.horizon").set_value(40).run()
charts = [chart for chart in at.get("plotly_chart")]
print(json.dumps({
    "exceptions": [item.value for item in at.exception],
    "stored_horizon": len(trained.forecast),
    "charts": len(charts),
    "imported": sorted(name for name in ("tensorflow", "keras") if name in sys.modules),
}))
cluster.close()
"""


def test_results_with_a_new_horizon_never_imports_tensorflow_in_the_server(
    tmp_path, session_scheduler
):
    # The fresh process is the server; its tasks go to the session's cluster's workers (as an
    # app's go to its own cluster's: the server's side of it is the same client code).
    environment = {**os.environ, "FORECAST_LAB_HOME": str(tmp_path), "TF_CPP_MIN_LOG_LEVEL": "2"}
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        env={**environment, **session_scheduler},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    assert report["exceptions"] == []
    assert report["stored_horizon"] < 40 and report["charts"] >= 1
    assert report["imported"] == []
