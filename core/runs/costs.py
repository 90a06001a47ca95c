"""What a training will cost, for the place-in-line estimate: its kind (the family's trainings,
"train_request:gru") and its size (its work relative to the demo's default training), so the
queue (core.runs.fair_queue) learns seconds per unit of size from finished trainings and
estimates a waiting one before any training of its family has finished. The learned rates are
kept in the run store (COSTS_FILE), so a restarted server estimates from its own past runs.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from core.atomic import write_atomic
from core.config import RunRequest
from core.data.recipe import fit_windows_of, training_choices

logger = logging.getLogger(__name__)

TRAINING = "train_request"
COSTS_FILE = ".costs.json"  # inside the run store; dotted, so never listed as a run
# Relative work of one step of a family's cell, the LSTM's 4 gates as the unit, fitted to the
# trainings the class benchmark timed (141 of 4 families in 15 runs; README, Measured choices):
# Keras's GRU costs more than its 3 gates say on a CPU, a SimpleRNN more than its 1 (bound by
# the cost of each step), a Dense layer much less. Small cells are bound by the per-step launch
# cost too, hence the constant part of CELL_WIDTH.
FAMILY_WORK = {"lstm": 4.0, "gru": 6.0, "simple_rnn": 2.25, "dense": 0.1}
CELL_WIDTH = (0.5, 1 / 64)  # work of a cell: family work * (0.5 + units / 64)
# Share of the default training's time that does not grow with the network: TensorFlow's
# tracing, predictions, forecast and bands, saving, bringing the run home.
FIXED_SHARE = 0.35
# Seconds per unit of size before any training was measured here: what the class benchmark
# (10 Chromium sessions, the default 2 workers, one 2-core machine, no other work) needs for its
# first figures to come true; README, "Serving a class", has the runs it was refitted from. A
# queue forms when the machine is busy, so the busy class's figure; the running trainings' own
# epochs (core.runs.fair_queue.FairQueue.slowdown) and the first finished training replace it.
PRIOR_SECONDS = 19.0


def _work(request: RunRequest, series_length: int) -> float:
    split, model = request.split, request.model
    if split.method == "last_n":
        test = split.test_size
    else:
        test = int(series_length * (split.test_fraction if split.method == "fraction" else 0.2))
    train_windows = max(1, series_length - test - split.lookback)
    fit = fit_windows_of(train_windows, split.validation_fraction)
    batch_choice, epochs_choice = training_choices(request.train, fit)
    batch, epochs = int(batch_choice.value), int(epochs_choice.value)
    steps = epochs * max(1, fit // max(1, batch))
    cell = FAMILY_WORK.get(model.family, 4.0) * (CELL_WIDTH[0] + model.units * CELL_WIDTH[1])
    layers = max(1, model.hidden_layers + 1)
    return steps * batch * split.lookback * layers * cell


def training_cost(request: RunRequest, series_length: int) -> tuple[str, float]:
    """(kind, size) of a training: size 1 is the demo's default training."""
    default = RunRequest()
    default_length = default.data.length
    relative = _work(request, series_length) / _work(default, default_length)
    return f"{TRAINING}:{request.model.family}", FIXED_SHARE + (1 - FIXED_SHARE) * relative


def read_rates(store_root: Path) -> dict[str, float]:
    """The seconds per unit of size a server measured before (empty when none)."""
    try:
        raw = json.loads((Path(store_root) / COSTS_FILE).read_text())
        return {str(kind): float(rate) for kind, rate in raw.items() if float(rate) > 0}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def write_rates(store_root: Path, rates: dict[str, float]) -> None:
    """Keep the measured rates for the next start (a failure only costs a better first guess)."""
    try:
        write_atomic(Path(store_root) / COSTS_FILE, json.dumps(rates, sort_keys=True))
    except Exception as error:  # disk full included
        logger.warning("could not keep the measured training costs: %s", error)
