"""Forecast Lab engine: data, models, training, evaluation, tuning and charts, free of Streamlit."""

__version__ = "0.1.0"
