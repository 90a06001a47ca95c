"""Experiments: search spaces, strategies (grid, random, Bayesian, Hyperband, the tuning
paper's generator), the study runner over Optuna storage, the Bitcoin study's sweeps, and
their command line."""
