"""How much a run's test error moves between training seeds alone, per family, as measured by
`python -m core bench --seeds --write` (core/evaluation/seed_spread.json): a change between two
runs smaller than that is noise, and Compare calls it "about the same"."""

from __future__ import annotations

import functools
import json
from pathlib import Path

SPREAD_FILE = Path(__file__).resolve().parent / "seed_spread.json"


@functools.cache
def measured_spreads() -> dict[str, float]:
    """Family name -> relative spread of the test MSE over seeds (0.12 = two seeds' errors lie
    up to 12% apart), as the bench stored it."""
    report = json.loads(SPREAD_FILE.read_text(encoding="utf-8"))
    return {family: float(spread) for family, spread in report["families"].items()}


def seed_spread(family: str) -> float:
    """The family's measured spread; a family the bench has not measured yet gets the largest
    measured one (the cautious choice: fewer changes are called news)."""
    spreads = measured_spreads()
    return spreads.get(family, max(spreads.values()))


def measured_on() -> str:
    """What the stored spreads were measured on, in words (for captions and help)."""
    report = json.loads(SPREAD_FILE.read_text(encoding="utf-8"))
    return f"{report['measured_on']}, {report['date']}"
