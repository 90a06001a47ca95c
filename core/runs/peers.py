"""The statistical peers' forecasts of a run (Holt-Winters, automatic smoothing, the straight
line, ...), computed once per data key and kept in the run store.

They depend on the series and its split (and the window, for the straight line), never on the
network, so every network trained on the same data and split shares them: the first training
computes them (during its epochs, on a thread of its own), later ones read them. A worker on
another machine gets them with its task and sends new ones home with the run's files.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import core.models.forecasters as package
from core.atomic import write_atomic
from core.config import SCHEMA_VERSION, RunRequest
from core.evaluation.intervals import positions_view, validation_positions
from core.models.baselines import fitted
from core.models.forecasters import FORECASTERS

if TYPE_CHECKING:
    from core.data.prepare import Prepared

logger = logging.getLogger(__name__)

FOLDER = ".peers"  # inside the run store; dotted, so never listed as a run


@dataclass(frozen=True)
class PeerForecasts:
    """Per peer name: one-step forecasts on the test part and on the validation part (original
    units) and the seconds its fit took, or the error it raised."""

    key: str
    test: dict[str, np.ndarray]
    validation: dict[str, np.ndarray]
    seconds: dict[str, float]
    errors: dict[str, str]

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "key": self.key,
                "test": {name: _listed(values) for name, values in self.test.items()},
                "validation": {name: _listed(values) for name, values in self.validation.items()},
                "seconds": self.seconds,
                "errors": self.errors,
            }
        ).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> PeerForecasts:
        raw = json.loads(data)

        def arrays(part: dict) -> dict[str, np.ndarray]:
            return {
                name: np.asarray([np.nan if v is None else v for v in values], dtype=float)
                for name, values in part.items()
            }

        return cls(
            key=str(raw["key"]),
            test=arrays(raw["test"]),
            validation=arrays(raw["validation"]),
            seconds={name: float(value) for name, value in raw["seconds"].items()},
            errors={name: str(value) for name, value in raw["errors"].items()},
        )


def _listed(values: np.ndarray) -> list[float | None]:
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(values, dtype=float)]


@functools.cache
def _forecasters_digest() -> str:
    """The peers' own code: a change to any forecaster makes its stored forecasts stale."""

    folder = Path(package.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def peers_key(request: RunRequest, data_fingerprint: str) -> str:
    """Same series, split and window, same peers' forecasts (whatever the network)."""
    text = json.dumps(
        {
            "schema": SCHEMA_VERSION,
            "data": data_fingerprint,
            "split": request.split.to_dict(),
            "code": _forecasters_digest(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def compute_peers(key: str, prepared: Prepared) -> PeerForecasts:
    """Fit every registered peer once on the train part and forecast the test and validation
    parts (a failing peer is recorded, not raised: it must not lose the trained network)."""

    validation_view = positions_view(prepared, validation_positions(prepared))
    test, validation, seconds, errors = {}, {}, {}, {}
    for name in FORECASTERS:
        started = time.perf_counter()
        try:
            forecaster = fitted(name, prepared)
            test[name] = np.asarray(forecaster.predict_one_step(prepared), dtype=float)
            validation[name] = np.asarray(forecaster.predict_one_step(validation_view), dtype=float)
        except Exception as error:  # recorded per peer, as the scores show it
            logger.warning("peer %s failed: %s", name, error)
            test.pop(name, None)
            errors[name] = f"{type(error).__name__}: {error}"
            continue
        seconds[name] = round(time.perf_counter() - started, 3)
    return PeerForecasts(key, test, validation, seconds, errors)


class PeerCache:
    """Peer forecasts on disk under the run store's root, one file per data key."""

    def __init__(self, store_root: Path) -> None:
        self.folder = Path(store_root) / FOLDER

    def path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"not a peers key: {key[:40]!r}")
        return self.folder / f"{key}.json"

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except OSError:
            return None

    def load(self, key: str) -> PeerForecasts | None:
        data = self.read_bytes(key)
        if data is None:
            return None
        try:
            return PeerForecasts.from_bytes(data)
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("ignoring unreadable peer forecasts %s: %s", key, error)
            return None

    def save(self, peers: PeerForecasts) -> None:
        self.write_bytes(peers.key, peers.to_bytes())

    def write_bytes(self, key: str, data: bytes) -> None:
        """Atomic; a failure to write only costs the next training the peers' fit."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path(key), data)
        except Exception as error:  # disk full included: a cache, never a failure
            logger.warning("could not keep the peer forecasts %s: %s", key, error)
