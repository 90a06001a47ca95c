"""Typed errors: each says what was received, what was expected and how to fix it."""


class ForecastLabError(Exception):
    """Base class for every error a user can act on; pages show its message with st.error."""


class ConfigError(ForecastLabError, ValueError):
    """A setting is out of range or inconsistent with another setting or with the data."""


class DataSourceError(ForecastLabError):
    """Data could not be fetched, read or parsed."""


class TrainingError(ForecastLabError):
    """Training failed (diverged, crashed) or was cancelled."""


class TrainingCancelled(TrainingError):
    """The user cancelled a training; nothing was saved."""
