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


class DiskFullError(ForecastLabError):
    """The disk (or the user's quota on it) is full: that one action failed, nothing was left
    half-written, and it works again once space is freed."""


DISK_FULL_ERRNOS = (28, 122)  # ENOSPC, EDQUOT (Linux)


def disk_full(error: BaseException, what: str) -> DiskFullError | None:
    """A DiskFullError saying what could not be saved, if `error` is a full disk; else None."""
    if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
        return DiskFullError(
            f"the disk is full: {what} could not be saved, and nothing was half-written. Free "
            "some space on the server (or ask whoever runs it), then try again."
        )
    return None
