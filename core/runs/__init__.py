"""The run service: the pipeline, the run store, background jobs, backtests and analyses."""
