"""What a data source declares: its loader, labels, form, the settings it reads and its presets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FORMS = ("synthetic", "market", "upload")  # the Data page's form for a source


@dataclass(frozen=True)
class Source:
    """One data source. load(DataConfig) -> Series; default_split(DataConfig, frequency) and
    default_data(**settings) (the preset, then the given settings) are its presets;
    summarize(DataConfig) is the sidebar's line."""

    name: str
    label: str  # in run titles and the sidebar: "Bitcoin (BTC-USD)"
    picker_label: str  # short, on the Data page's picker: "Bitcoin"
    explanation: str  # one line under the picker
    form: str  # one of FORMS
    fields: tuple[str, ...]  # the DataConfig fields this source reads
    load: Callable[[Any], Any]
    default_split: Callable[[Any, str | None], Any]
    default_data: Callable[..., Any]
    summarize: Callable[[Any], str]
    providers: tuple[str, ...] = ()  # market sources: where prices can come from
    downloads: bool = False  # fetched over the network (the fetch command, Refresh prices)
    needs_file: bool = False  # reads an uploaded file (csv_path)
    currency: str = ""  # the values' currency ("$"): axes and errors carry it

    def __post_init__(self) -> None:
        for attribute in ("name", "label", "picker_label", "explanation"):
            if not str(getattr(self, attribute)).strip():
                raise ValueError(f"data source '{self.name}' needs a non-empty {attribute}.")
        if self.form not in FORMS:
            raise ValueError(f"data source '{self.name}': form '{self.form}' is not in {FORMS}.")

    def title(self, data: Any) -> str:
        """The label, with the provider when the source has a choice of them."""
        if len(self.providers) > 1:
            return f"{self.label} · {data.provider}"
        return self.label


def market_summary(source: Source, data: Any) -> str:
    """Label and date range of a market series."""
    text = source.title(data)
    if data.start_date or data.end_date:
        text += f" · {data.start_date or 'start'} to {data.end_date or 'latest'}"
    return text
