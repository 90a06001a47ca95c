"""Data: series (core.data.series), the source registry and load_series (core.data.sources),
market downloads, uploads, cleaning and preparation (split, scaling, windows)."""
