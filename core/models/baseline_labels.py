"""Names of the baselines, read live from the forecaster registry (a forecaster added there is
named everywhere): plain words for everyone, and the exact terms for tooltips."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from core.models.forecasters import FORECASTERS


class _RegistryNames(Mapping[str, str]):
    """name -> one class attribute of every registered forecaster, always current."""

    def __init__(self, attribute: str) -> None:
        self._attribute = attribute

    def __getitem__(self, name: str) -> str:
        return str(getattr(FORECASTERS[name], self._attribute))

    def __iter__(self) -> Iterator[str]:
        return iter(list(FORECASTERS))

    def __len__(self) -> int:
        return len(FORECASTERS)


BASELINE_LABELS: Mapping[str, str] = _RegistryNames("label")
BASELINE_TERMS: Mapping[str, str] = _RegistryNames("explanation")
