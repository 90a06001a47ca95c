"""The work after a training's last epoch as steps of their own (scoring, simple rules, bands,
saving), and the words and progress the Train page shows for a job from its click to done.

No Streamlit and no TensorFlow here: the pipeline sends StepUpdates through the same channel as
epoch updates, the job registry keeps the latest, and the page renders `job_progress`.
"""

from __future__ import annotations

from dataclasses import dataclass

# (name, the words the page shows) in the order the pipeline runs them.
STEPS: tuple[tuple[str, str], ...] = (
    ("predicting", "Predicting every day of the series with the trained network"),
    ("peers", "Scoring against simple rules"),
    ("forecast", "Forecasting ahead"),
    ("bands", "Measuring the uncertainty bands"),
    ("saving", "Saving the run"),
    ("receiving", "Bringing the run home"),
)
STEP_ORDER = [name for name, _ in STEPS]
# Before the first epoch: the worker that took the training has not imported TensorFlow yet (a
# fresh server's workers import it once each, as they start).
LOADING = "loading"
STEP_WORDS = {**dict(STEPS), LOADING: "Starting the worker"}
# Why a fresh server's first training waits (the job panel's bar and the place in line).
AFTER_START = "after a server start, TensorFlow loads once per worker; it takes several seconds"
# Share of the bar for the epochs; the steps after them fill the rest.
EPOCHS_SHARE = 0.85


@dataclass(frozen=True)
class StepUpdate:
    """The pipeline started one step after the last epoch (or, before the first, LOADING)."""

    step: str

    @property
    def words(self) -> str:
        return STEP_WORDS.get(self.step, self.step)


@dataclass(frozen=True)
class JobProgress:
    """What the bar shows: its fill (0..1) and its text."""

    fraction: float
    text: str


def job_progress(
    *,
    epoch: int,
    max_epochs: int,
    step: str | None,
    seconds_since_click: float,
    epoch_seconds: float | None = None,
) -> JobProgress:
    """The bar of a running job: preparing, an epoch, or a step after the epochs, always with
    the seconds since the click (the real total, not only the epochs')."""
    elapsed = f"{seconds_since_click:.0f} s since you pressed Train"
    if step == LOADING and epoch <= 0:
        return JobProgress(
            0.0,
            f"{STEP_WORDS[LOADING]} ({AFTER_START}), then the network is prepared · {elapsed}",
        )
    if step is not None:
        number = STEP_ORDER.index(step) + 1 if step in STEP_ORDER else len(STEP_ORDER)
        fraction = EPOCHS_SHARE + (1 - EPOCHS_SHARE) * (number - 1) / len(STEP_ORDER)
        trained = "" if epoch_seconds is None else f" (epochs done in {epoch_seconds:.0f} s)"
        return JobProgress(
            min(fraction, 0.99),
            f"After training, step {number} of {len(STEP_ORDER)}: "
            f"{STEP_WORDS.get(step, step)}... · {elapsed}{trained}",
        )
    if epoch <= 0:
        return JobProgress(
            0.0,
            f"Preparing the network · {elapsed}",  # a worker still loading TensorFlow: LOADING
        )
    fraction = EPOCHS_SHARE * min(1.0, epoch / max(1, max_epochs))
    return JobProgress(
        fraction,
        f"Epoch {epoch} of at most {max_epochs} · {elapsed} · early stopping may end it "
        "sooner; scoring and saving follow",
    )


def done_words(
    *,
    total_seconds: float,
    epochs_run: int,
    epoch_seconds: float | None,
    after_seconds: float | None,
) -> str:
    """'Done in 63 s from the click: 2 epochs in 8 s, then 5 s of scoring and saving'."""
    words = f"Done in {total_seconds:.0f} s from the click: {epochs_run} epochs"
    if epoch_seconds is not None:
        words += f" in {epoch_seconds:.0f} s"
    if after_seconds is not None:
        words += f", then {after_seconds:.0f} s of scoring, bands and saving"
    return words
