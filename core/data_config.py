"""DataConfig and its choices: where the series comes from, each field declared once (label,
help, range) for validation, the command line, links and the Data page forms."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ConfigError
from core.settings import ConfigBase, setting

# one module per source in core/data/sources/, registered in core.data.sources.SOURCE_REGISTRY;
# declared here too, as the configs sit below the sources (a test holds the lists together)
SOURCES = ("synthetic", "btc", "sp500", "csv")
FILE_SOURCES = ("csv",)  # sources that read an uploaded file (csv_path)
PROVIDERS = ("yahoo", "cdd")
NOISE_KINDS = ("gaussian", "ar1")
GENERATORS = ("sine", "mackey_glass")
FILL_METHODS = ("interpolate", "ffill", "drop")  # missing values in an uploaded file
DUPLICATE_RULES = ("last", "mean")  # a date that appears more than once
DATE_ORDERS = ("auto", "dayfirst", "monthfirst")  # dates written as day/month numbers


@dataclass(frozen=True)
class DataConfig(ConfigBase):
    """Where the series comes from. Each source reads only its own fields (Source.fields)."""

    source: str = setting(
        "synthetic",
        "Data source",
        "Where the series the network learns to forecast comes from.",
        choices=SOURCES,
    )
    provider: str = setting(
        "yahoo",
        "Provider",
        "Where market prices come from (Bitcoin: yahoo or cdd). CryptoDataDownload (cdd) is "
        "the source the published Bitcoin comparison used.",
        choices=PROVIDERS,
    )
    start_date: str | None = setting(
        None,
        "From",
        "First date kept, ISO (e.g. 2020-10-28); empty = the whole history.",
        unit="date",
    )
    end_date: str | None = setting(
        None,
        "To",
        "Last date kept, ISO; empty = everything up to the latest download.",
        unit="date",
    )
    csv_path: str | None = setting(
        None,
        "CSV file",
        "A file with a header row, one column of dates and one of numbers (copied into the "
        "uploads folder).",
    )
    date_column: str | None = setting(
        None,
        "Date column",
        "The column that holds the dates (e.g. 2024-01-31); empty = detected.",
    )
    value_column: str | None = setting(
        None,
        "Value column",
        "The column with the numbers to forecast (e.g. a closing price); empty = detected.",
    )
    date_order: str = setting(
        "auto",
        "Date order",
        "How dates written as numbers (06.01.2024, 1/6/2024) are read, for the whole column: "
        "auto = from the file (day first when a first number is over 12, month first when a "
        "second one is); when every day is 12 or less the file cannot tell, so choose dayfirst "
        "or monthfirst.",
        choices=DATE_ORDERS,
    )
    fill: str = setting(
        "interpolate",
        "Missing values",
        "Empty or NA cells, and dates a regular series skips (a missing week or month): "
        "interpolate draws a straight line between the neighbours (good for short gaps), "
        "carry forward (ffill) repeats the last value, drop leaves them out.",
        choices=FILL_METHODS,
    )
    duplicates: str = setting(
        "last",
        "Repeated dates",
        "When a date appears more than once: keep the last value given, or their mean.",
        choices=DUPLICATE_RULES,
    )
    generator: str = setting(
        "sine",
        "Kind of series",
        "Trend, seasons and noise (sine): the classic made-up series. Chaotic (mackey_glass): "
        "the Mackey–Glass delay equation (delay 17), a standard test where networks beat "
        "linear models; it reads only length, noise and seed.",
        choices=GENERATORS,
    )
    length: int = setting(
        7 * 365,
        "Length",
        "How many values to generate, one per day on the time axis (2555 is seven years, as "
        "in the published comparison).",
        unit="steps",
        low=60,
        high=200_000,
        hint="pick a length in that range.",
        typical=(60, 30 * 365),
    )
    synthetic_start: str = setting(
        "2018-01-01",
        "Start date",
        "The date of the first value; only the labels on the time axis change.",
        unit="date",
        advanced=True,
    )
    level: float = setting(
        10.0,
        "Starting level",
        "The value the series starts around before trend and seasons are added.",
        advanced=True,
    )
    trend_slope: float = setting(
        0.05,
        "Trend",
        "How much the series rises (or falls, if negative) each step on average.",
        unit="per step",
        typical=(-0.5, 0.5),
    )
    trend_curvature: float = setting(
        0.0,
        "Trend curvature",
        "Bends the trend: positive values make growth speed up over time; 0 = straight.",
        unit="per step²",
        advanced=True,
    )
    seasonal_periods: tuple[float, ...] = setting(
        (365.0, 7.0),
        "Season lengths",
        "How many steps one full wave takes (365 = yearly, 7 = weekly); one per season.",
        unit="steps",
        low=2,
        high=100_000,
        hint="periods are at least 2 steps.",
        typical=(2, 3650),
    )
    seasonal_amplitudes: tuple[float, ...] = setting(
        (40.0, 5.0),
        "Season sizes",
        "How far each wave swings above and below the trend; one per season length.",
        typical=(0.0, 100_000.0),
    )
    noise_level: float = setting(
        5.0,
        "Noise level",
        "How much random wobble (a standard deviation) is added each step; no model can "
        "predict this part.",
        low=0.0,
        high=1e9,
        hint="use a non-negative noise level.",
        typical=(0.0, 100.0),
    )
    noise_kind: str = setting(
        "gaussian",
        "Noise kind",
        "Independent noise (gaussian) is fresh every step; correlated noise drifts, so "
        "each step's noise partly carries over to the next (an AR(1) process).",
        choices=NOISE_KINDS,
        advanced=True,
    )
    noise_correlation: float = setting(
        0.5,
        "Noise correlation",
        "For ar1 noise, how much of each step's noise carries over to the next (the AR(1) "
        "coefficient): 0 = none, 0.9 = most.",
        low=-0.99,
        high=0.99,
        hint="keep |correlation| < 1.",
        typical=(-0.95, 0.95),
        advanced=True,
    )
    seed: int = setting(
        42,
        "Random seed",
        "The same seed always gives the same noise, so results can be reproduced.",
        low=0,
        high=2**31 - 1,
        advanced=True,
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.source in FILE_SOURCES and not self.csv_path:
            raise ConfigError(
                f"The {self.source} source needs a file; upload one or pick another source."
            )
        if len(self.seasonal_periods) != len(self.seasonal_amplitudes):
            raise ConfigError(
                f"{len(self.seasonal_periods)} seasonal periods but "
                f"{len(self.seasonal_amplitudes)} amplitudes; give one amplitude per period."
            )

    @property
    def is_synthetic(self) -> bool:
        return self.source == "synthetic"
