"""The model family registry: name -> Family. Adding a family = one module + one line below."""

from __future__ import annotations

from core.models.families import bilstm, dense, gru, lstm, simple_rnn
from core.models.families.base import Family

FAMILY_REGISTRY: dict[str, Family] = {
    family.name: family
    for family in (
        dense.FAMILY,
        simple_rnn.FAMILY,
        lstm.FAMILY,
        gru.FAMILY,
        bilstm.FAMILY,
    )
}

__all__ = ["FAMILY_REGISTRY", "Family"]
