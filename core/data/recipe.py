"""The training recipe chosen from the data, each choice with its reason: the batch size from
the number of training windows, the epochs from a budget of gradient steps (so 100 monthly
windows train as much as 2,000 daily ones), the log scale for a positive series whose seasonal
swing grows with its level, and the season from the frequency. Numpy only (no TensorFlow)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.config import TrainConfig
from core.data.frequency import calendar_seasons
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.config import SplitConfig
    from core.data.series import Series

# Windows per batch: about 1/16 of the fit windows, a power of two between these bounds.
MIN_BATCH, MAX_BATCH = 16, 128
WINDOWS_PER_BATCH_SHARE = 16
MAX_EPOCHS = 1000
# The budget's gradient steps are counted in batches of MAX_BATCH windows: a smaller batch takes
# proportionally more (cheaper) steps, so a short series sees as many windows as a long one,
# up to BUDGET_MAX_EPOCHS passes over them. Measured on the real-series bench (one step ahead,
# the network's MSE over its own line's, seeds 0-2): sunspots 0.915/0.906/0.994 with 420 steps
# of 16 windows (33 epochs) against 0.844/0.833/0.742 with 250 epochs, US real GDP 1.000/1.005
# against 0.948/0.922; the Nile (67 windows) lost (0.91 -> 0.96-1.03). README, "Measured choices".
BUDGET_MAX_EPOCHS = 250
# A season's swing that grows at least this fast with the level (log-log slope; 1 = in
# proportion, as multiplicative seasonality; 0 = constant, additive) calls for the log scale.
LOG_SLOPE = 0.5
MIN_CYCLES = 4  # whole seasons in the train part needed to judge the swing
MIN_LEVEL_RATIO = 1.5  # the level must grow (or fall) this much for the slope to mean something


@dataclass(frozen=True)
class Choice:
    """One recipe choice: its setting's name, the value used and why, in plain words."""

    name: str
    value: Any
    reason: str
    from_data: bool  # False when the user set it

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "reason": self.reason,
            "chosen_from_data": self.from_data,
        }


def batch_for(fit_windows: int) -> int:
    """A power of two near fit_windows / 16, between 16 and 128 (never above the windows)."""
    target = max(1.0, fit_windows / WINDOWS_PER_BATCH_SHARE)
    size = 2 ** round(math.log2(target))
    return int(max(1, min(max(MIN_BATCH, min(MAX_BATCH, size)), fit_windows)))


def budget_windows(budget_steps: int) -> int:
    """The windows a budget of gradient steps shows the network: steps of MAX_BATCH windows."""
    return int(budget_steps) * MAX_BATCH


def epochs_for(budget_steps: int, fit_windows: int, batch_size: int) -> int:
    """Epochs that show the network about budget_windows(budget_steps) windows (whole batches
    per epoch), at most BUDGET_MAX_EPOCHS."""
    batch = max(1, int(batch_size))
    batches = max(1, fit_windows // batch)
    steps = math.ceil(budget_windows(budget_steps) / batch)
    return int(min(BUDGET_MAX_EPOCHS, MAX_EPOCHS, max(1, math.ceil(steps / batches))))


def fit_windows_of(train_windows: int, validation_fraction: float) -> int:
    """Training windows left to fit on once the validation part is held out (as the trainer)."""
    validation = min(int(round(train_windows * validation_fraction)), train_windows - 1)
    return max(1, train_windows - max(0, validation))


def training_choices(train: TrainConfig, fit_windows: int) -> tuple[Choice, Choice]:
    """The batch size and the epochs the trainer uses for `fit_windows` windows. The recipe
    chooses only what is left at its default: a batch size or an epoch count set by hand (a
    test's 2 epochs, a search trial's 10) is used as set; auto_batch off or a budget of 0
    switch the choice off whatever the values."""
    default = TrainConfig()
    if train.auto_batch and train.batch_size == default.batch_size:
        batch = batch_for(fit_windows)
        batch_choice = Choice(
            "batch_size",
            batch,
            f"{batch} windows per batch for {fit_windows:,} training windows "
            f"(about 1/{WINDOWS_PER_BATCH_SHARE} of them, {MIN_BATCH} to {MAX_BATCH})",
            True,
        )
    else:
        batch = int(min(train.batch_size, fit_windows))
        batch_choice = Choice("batch_size", batch, "as set", False)
    if train.budget_steps and train.epochs == default.epochs:
        epochs = epochs_for(train.budget_steps, fit_windows, batch)
        batches = max(1, fit_windows // batch)
        capped = epochs == BUDGET_MAX_EPOCHS
        epochs_choice = Choice(
            "epochs",
            epochs,
            f"{epochs} epochs of {batches} batches of {batch}: a budget of {train.budget_steps} "
            f"gradient steps of {MAX_BATCH} windows ({budget_windows(train.budget_steps):,} "
            "windows seen), whatever the series' length"
            + (f", at most {BUDGET_MAX_EPOCHS} epochs" if capped else ""),
            True,
        )
    else:
        epochs_choice = Choice("epochs", int(train.epochs), "as set (maximum epochs)", False)
    return batch_choice, epochs_choice


def resolved_training(train: TrainConfig, fit_windows: int) -> TrainConfig:
    """The training settings with the recipe's batch size and epochs filled in."""
    batch, epochs = training_choices(train, fit_windows)
    return train.replace(batch_size=int(batch.value), epochs=int(epochs.value))


def _moving_average(values: np.ndarray, season: int) -> np.ndarray:
    """Centred moving average over one season (2 x season for an even one), 'valid' part."""
    if season % 2 == 0:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    else:
        weights = np.ones(season) / season
    return np.convolve(values, weights, mode="valid")


def swing_slope(values: np.ndarray, season: int) -> float | None:
    """How a season's swing grows with the level: the log-log slope of each whole cycle's
    spread around the moving average against that cycle's level (None when it cannot tell)."""
    values = np.asarray(values, dtype=float)
    if season < 2 or len(values) < (MIN_CYCLES + 1) * season or np.any(values <= 0):
        return None
    trend = _moving_average(values, season)
    start = (len(values) - len(trend)) // 2
    detrended = values[start : start + len(trend)] - trend
    cycles = len(trend) // season
    if cycles < MIN_CYCLES:
        return None
    levels, swings = [], []
    for cycle in range(cycles):
        part = slice(cycle * season, (cycle + 1) * season)
        levels.append(float(np.mean(trend[part])))
        swings.append(float(np.std(detrended[part])))
    levels_array, swings_array = np.log(levels), np.log(np.maximum(swings, 1e-12))
    if np.ptp(levels_array) < math.log(MIN_LEVEL_RATIO):  # too little level change to judge by
        return None
    return float(np.polyfit(levels_array, swings_array, 1)[0])


def season_of(series: Series, train_end: int, season: int = 0) -> Choice:
    """The season set by hand (split.season > 0; it must fit twice into the train part), else
    the calendar season of the frequency that fits twice into the train part."""
    if season > 0:
        if 2 * season > train_end:
            raise ConfigError(
                f"the season ({season} steps) must fit twice into the training part "
                f"({train_end} rows); lower the season or set it to 0 (auto)."
            )
        return Choice("season", int(season), f"{season} steps, as set", False)
    seasons = [s for s in calendar_seasons(series.frequency) if 2 * s <= train_end]
    if not seasons:
        return Choice("season", 1, f"no calendar season for {series.frequency} data", True)
    return Choice(
        "season",
        seasons[0],
        f"{seasons[0]} steps: the calendar season of {series.frequency} data",
        True,
    )


def log_scale_choice(series: Series, split: SplitConfig, train_end: int) -> Choice:
    """Whether the network works on log values (split.log_scale 'auto' decides from the data)."""
    if split.log_scale == "log" and np.any(np.asarray(series.values, dtype=float) <= 0):
        raise ConfigError(
            "the log scale needs values above zero, but this series has values at or below "
            "zero; set Log scale to auto or original."
        )
    if split.log_scale != "auto":
        return Choice("log_scale", split.log_scale == "log", "as set", False)
    if np.any(np.asarray(series.values, dtype=float) <= 0):
        return Choice("log_scale", False, "the series has values at or below zero", True)
    train = np.asarray(series.values[:train_end], dtype=float)
    season = int(season_of(series, train_end, split.season).value)
    slope = swing_slope(train, season)
    if slope is None:
        return Choice(
            "log_scale",
            False,
            "no season with enough whole cycles, or a level that moves too little, to see "
            "whether the seasonal swing grows with the level",
            True,
        )
    if slope >= LOG_SLOPE:
        return Choice(
            "log_scale",
            True,
            f"the {season}-step seasonal swing grows with the level (slope {slope:.2f} on a "
            "log-log scale; 1 = in proportion), so the network works on log values",
            True,
        )
    return Choice(
        "log_scale",
        False,
        f"the {season}-step seasonal swing stays about the same as the level changes (slope "
        f"{slope:.2f} on a log-log scale)",
        True,
    )


__all__ = [
    "Choice",
    "batch_for",
    "budget_windows",
    "epochs_for",
    "fit_windows_of",
    "log_scale_choice",
    "recipe_for",
    "recipe_summary",
    "resolved_training",
    "season_of",
    "swing_slope",
    "training_choices",
]


def recipe_for(prepared: Any, split: SplitConfig, train: TrainConfig) -> dict[str, Choice]:
    """Every choice of the recipe for a prepared series: batch size, epochs, log scale, season."""
    fit = fit_windows_of(len(prepared.x_train), split.validation_fraction)
    batch, epochs = training_choices(train, fit)
    log = log_scale_choice(prepared.series, split, prepared.train_end)
    season = season_of(prepared.series, prepared.train_end, split.season)
    windows = Choice(
        "training_windows", fit, f"{fit:,} windows to fit on (the validation part held out)", True
    )
    return {choice.name: choice for choice in (batch, epochs, log, season, windows)}


def recipe_summary(recipe: dict[str, Choice]) -> dict[str, dict[str, Any]]:
    """The recipe as plain values for JSON (the command line's "recipe")."""
    return {name: choice.to_dict() for name, choice in recipe.items()}
