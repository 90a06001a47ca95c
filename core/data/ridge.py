"""Ridge straight lines whose strength is chosen by blocked cross-validation (numpy/scipy only).

One mechanism for two users: the Data page's window suggestion (core.data.window scores every
candidate window from one set of per-fold Gram matrices) and the networks' linear shortcut
(core.models.forecasters.linear_ar.fit_ridge_line), whose plain least-squares line overfitted
long windows (README, "Measured choices").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from core.data.blas import one_blas_thread

# Ridge strengths tried, relative to the mean diagonal of X'X; the fit keeps the one that
# scores best on blocked cross-validation, so a long window is neither scored on an overfitted
# fit nor held back by a fixed strength (README, "Measured choices").
RIDGE_SHARES = (1e-3, 1e-2, 1e-1)
# Contiguous folds: each block of time is scored by a fit on the others.
FOLDS = 5


@dataclass(frozen=True)
class FoldMoments:
    """Per-fold Gram matrices X'X, moments X't and target sums t't, and their totals: every
    fit and score below reads these, never the design itself."""

    grams: list[np.ndarray]
    moments: list[np.ndarray]
    sums: list[float]
    gram_total: np.ndarray
    moment_total: np.ndarray


def fold_moments(design: np.ndarray, targets: np.ndarray, folds: int = FOLDS) -> FoldMoments:
    """Split the rows into `folds` contiguous blocks (fewer for very few rows) and keep each
    block's moments."""
    blocks = np.array_split(np.arange(len(targets)), max(2, min(folds, len(targets))))
    grams = [design[block].T @ design[block] for block in blocks]
    moments = [design[block].T @ targets[block] for block in blocks]
    sums = [float(targets[block] @ targets[block]) for block in blocks]
    return FoldMoments(grams, moments, sums, sum(grams), sum(moments))


def ridge_solve(gram: np.ndarray, right: np.ndarray, share: float, size: int) -> np.ndarray:
    """(G + share * trace(G)/size * I)^-1 right, by Cholesky (positive definite: half the cost
    of a general solve). size is the number of window columns (the intercept not counted)."""
    regularised = gram.copy()
    regularised[np.diag_indices_from(regularised)] += share * np.trace(gram) / size
    return cho_solve(cho_factor(regularised, check_finite=False), right)


def cross_validated_squares(moments: FoldMoments, columns: np.ndarray, size: int) -> np.ndarray:
    """Summed squared error over the held-out folds, one per strength of RIDGE_SHARES, of ridge
    lines on `columns` of the design, each fold scored by a fit on the others."""
    block = np.ix_(columns, columns)
    squared = np.zeros(len(RIDGE_SHARES))
    for gram, moment, total in zip(moments.grams, moments.moments, moments.sums, strict=True):
        fit_gram = (moments.gram_total - gram)[block]
        right = (moments.moment_total - moment)[columns]
        solved = np.stack([ridge_solve(fit_gram, right, share, size) for share in RIDGE_SHARES])
        # the fold's squared error from its own Gram matrix: |Xc - t|^2 = c'Gc - 2c'm + t't
        fold_gram, fold_moment = gram[block], moment[columns]
        squared += (
            np.einsum("ri,ij,rj->r", solved, fold_gram, solved) - 2 * solved @ fold_moment + total
        )
    return squared


@dataclass(frozen=True)
class RidgeLine:
    """A ridge line on raw windows: next = windows @ coefficients + intercept."""

    coefficients: np.ndarray  # oldest lag first
    intercept: float
    share: float  # the strength kept, of RIDGE_SHARES, or 0: plain least squares scored best
    scores: dict[float, float]  # strength (0 = least squares) -> cross-validated MSE


def relative_design(windows: np.ndarray, level: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Each window relative to its last value, with an intercept column (as the networks see
    it), and the last values. Its last window column is 0, or with `level` the last value
    itself, so a line can pull back towards a mean (coefficients not summing to 1); the ridge
    shrinks towards "the next value is the last one", not towards 0."""
    last = windows[:, -1:]
    design = np.hstack([windows - last, np.ones((len(windows), 1))])
    if level:
        design[:, -2] = last[:, 0]
    return design, last[:, 0]


def _least_squares_squares(design: np.ndarray, targets: np.ndarray, folds: int) -> float:
    """Summed held-out squared error of plain least squares over the same contiguous folds,
    fitted on the rows (not the Gram matrix, whose condition is the square of theirs: on a
    smooth interpolated series even a tiny strength made the line worse)."""
    squared = 0.0
    for block in np.array_split(np.arange(len(targets)), folds):
        keep = np.ones(len(targets), dtype=bool)
        keep[block] = False
        solution, *_ = np.linalg.lstsq(design[keep], targets[keep], rcond=None)
        squared += float(np.sum((design[block] @ solution - targets[block]) ** 2))
    return squared


def fit_ridge(windows: np.ndarray, targets: np.ndarray) -> RidgeLine:
    """The ridge line of targets on windows (rows >= 2), its strength chosen by blocked
    cross-validation, refitted on every row with that strength. One BLAS thread, as for the
    window suggestion: the default threads wait for each other (README, "Measured choices")."""
    windows = np.asarray(windows, dtype=np.float64)
    design, last = relative_design(windows, level=True)
    changes = np.asarray(targets, dtype=np.float64).reshape(-1) - last
    size = windows.shape[1]
    with one_blas_thread():
        moments = fold_moments(design, changes)
        squared = cross_validated_squares(moments, np.arange(size + 1), size)
        plain = _least_squares_squares(design, changes, len(moments.grams))
        if plain <= squared.min():  # no strength helps: the plain least-squares line
            share = 0.0
            solution, *_ = np.linalg.lstsq(design, changes, rcond=None)
        else:
            share = RIDGE_SHARES[int(np.argmin(squared))]
            solution = ridge_solve(moments.gram_total, moments.moment_total, share, size)
    # next - last = b.(w - last) + b_last last + c, over the earlier lags b
    #   =>  next = b.w + (1 + b_last - sum b) last + c
    coefficients = solution[:-1].copy()
    coefficients[-1] = 1.0 + solution[size - 1] - solution[: size - 1].sum()
    return RidgeLine(
        coefficients=coefficients,
        intercept=float(solution[-1]),
        share=share,
        scores={
            0.0: plain / len(changes),
            **{
                strength: float(value) / len(changes)
                for strength, value in zip(RIDGE_SHARES, squared, strict=True)
            },
        },
    )


__all__ = [
    "FOLDS",
    "RIDGE_SHARES",
    "FoldMoments",
    "RidgeLine",
    "cross_validated_squares",
    "fit_ridge",
    "fold_moments",
    "relative_design",
    "ridge_solve",
]
