"""Experiments: search spaces, strategies (grid, random, Bayesian, Hyperband, study B's generator),
the study runner over Optuna storage, study A's sweeps, and their command line."""
