"""Shareable links: a RunRequest's non-default fields as flat URL query parameters, and back.

One mechanism for the whole app: `request_to_query` writes "section.field=value" pairs (e.g.
`model.family=gru`), `request_from_query` rebuilds the request and lists what it ignored.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.config import SECTIONS, DataConfig, ModelConfig, RunRequest
from core.data.upload import UPLOAD_NAME, upload_reference
from core.errors import ConfigError
from core.paths import sub_dir
from core.settings import setting_of

HORIZON = "horizon"
NONE_TEXT = "none"
UPLOAD_FIELD = ("data", "csv_path")  # a file on the server: only uploads, by content hash
# The network's depth travels as the one count the app shows (ModelConfig.layers: the family's
# own layers); links made before it say model.hidden_layers, which is still read.
LAYERS = "model.layers"
CONTENT_ID = re.compile(r"[0-9a-f]{16}")  # the sha256 prefix save_upload names a file by


@dataclass(frozen=True)
class ParsedLink:
    """The request a link describes and the parameters that could not be used (with why)."""

    request: RunRequest
    ignored: tuple[str, ...] = ()


def _field_types(config_class: type) -> dict[str, Any]:
    return typing.get_type_hints(config_class)


def _encode(value: Any) -> str:
    if value is None:
        return NONE_TEXT
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ",".join(_encode(item) for item in value)
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e15 else str(int(value))
    return str(value)


def _decode(text: str, hint: Any) -> Any:
    """Parse `text` as the type `hint` (str, int, float, bool, tuple[float, ...], X | None)."""
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if type(None) in args:  # Optional
        if text.strip().lower() in (NONE_TEXT, ""):
            return None
        inner = next(arg for arg in args if arg is not type(None))
        return _decode(text, inner)
    if origin is tuple:
        item_type = args[0] if args else str
        parts = [part for part in text.split(",") if part.strip()]
        return tuple(_decode(part.strip(), item_type) for part in parts)
    if hint is bool:
        lowered = text.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(f"'{text}' is not true or false")
    if hint is int:
        number = _finite(text)
        if number != int(number):
            raise ValueError(f"'{text}' is not a whole number")
        return int(number)
    if hint is float:
        return _finite(text)
    return text


def _finite(text: str) -> float:
    """A number from a link; infinities and NaN ('inf', '1e309', 'nan') are refused here, as
    no setting takes them and int(inf) would crash the page."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"'{text}' is not a finite number")
    return number


def _upload_or_refuse(text: str) -> str:
    """An upload's content id if `text` names a file in the uploads folder, else ConfigError:
    a link must never make the server read a path of the link's choosing."""

    try:
        return upload_by_content(text)
    except ConfigError as error:
        raise ConfigError(
            "not an uploaded file: a link can only name files uploaded to this app, so it was "
            "not opened. Upload the file on the Data page"
        ) from error


def content_id(reference: str | Path) -> str:
    """What a shared link carries for an upload: its content hash only, so the link never
    names the uploader's file (the owner's own pages show the name from the stored upload)."""
    name = Path(str(reference)).name
    return name[:16] if UPLOAD_NAME.fullmatch(name) else name


def upload_by_content(identifier: str) -> str:
    """The upload reference of the stored file with this content hash (the most recently used
    when the same bytes were uploaded under several names), or a ConfigError. A link from
    before names the whole stored file, which is still read."""
    if not CONTENT_ID.fullmatch(identifier):
        return upload_reference(identifier)
    matches = [
        path
        for path in sub_dir("uploads").glob(f"{identifier}_*")
        if UPLOAD_NAME.fullmatch(path.name)
    ]
    if not matches:
        raise ConfigError(f"no upload with content id {identifier} on this server")
    newest = max(matches, key=lambda path: (path.stat().st_mtime, path.name))
    return upload_reference(newest)


def _layers_to_hidden(text: str, model: dict[str, Any], ignored: list[str]) -> None:
    """model.layers=N (the family's own layers) into the stored hidden_layers, for the family
    the link names; a bad count is ignored alone, like any other setting."""
    try:
        family = str(model.get("family", ModelConfig().family))
        count = int(_decode(text, int))
        model["hidden_layers"] = ModelConfig(family=family).with_layers(count).hidden_layers
    except (ValueError, ConfigError) as error:
        ignored.append(f"{LAYERS}={text} ({error})")


def request_to_query(request: RunRequest) -> dict[str, str]:
    """The request's fields that differ from the defaults, as {"section.field": "text"}."""
    query: dict[str, str] = {}
    for section, config_class in SECTIONS.items():
        config = getattr(request, section)
        default = config_class()
        for item in dataclasses.fields(config_class):
            value = getattr(config, item.name)
            if value != getattr(default, item.name):
                if (section, item.name) == UPLOAD_FIELD and value:
                    value = content_id(value)  # its hash: no server path, no file name
                query[f"{section}.{item.name}"] = _encode(value)
    if query.pop("model.hidden_layers", None) is not None:
        query[LAYERS] = str(request.model.layers)
    if request.horizon != RunRequest().horizon:
        query[HORIZON] = str(request.horizon)
    return query


def request_from_query(params: Mapping[str, str]) -> ParsedLink:
    """Rebuild a request from query parameters; unknown or invalid ones are ignored and listed.

    Parameters that are not "section.field" or "horizon" (e.g. a job id) are left alone.
    """
    ignored: list[str] = []
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    horizon = RunRequest().horizon
    layers = params.get(LAYERS)
    for name, text in params.items():
        if name == LAYERS:
            continue
        if name == HORIZON:
            try:
                horizon = int(_decode(text, int))
            except ValueError as error:
                ignored.append(f"{name}={text} ({error})")
            continue
        section, _, field_name = name.partition(".")
        if section not in SECTIONS or not field_name:
            continue
        hints = _field_types(SECTIONS[section])
        if field_name not in hints:
            ignored.append(f"{name} (no such setting)")
            continue
        try:
            value = _decode(text, hints[field_name])
            declared = setting_of(SECTIONS[section], field_name)
            if declared is not None:
                declared.check(value)  # one bad value is ignored alone, not its whole section
            if (section, field_name) == UPLOAD_FIELD and value is not None:
                value = _upload_or_refuse(value)
            sections[section][field_name] = value
        except (ValueError, ConfigError) as error:
            ignored.append(f"{name}={text} ({error})")
            if (section, field_name) == UPLOAD_FIELD and sections["data"].get("source") == "csv":
                sections["data"].pop("source")  # no file to open: the default series instead
        if (section, field_name) == ("data", "source") and "csv_path" not in sections["data"]:
            if any(item.startswith("data.csv_path=") for item in ignored):
                sections["data"].pop("source", None)
    configs: dict[str, Any] = {}
    if layers is not None:
        _layers_to_hidden(layers, sections["model"], ignored)
    for section, values in sections.items():
        config_class = SECTIONS[section]
        try:
            configs[section] = config_class(**values)
        except (ConfigError, TypeError) as error:
            ignored.append(f"{section} settings ({error}); defaults used")
            configs[section] = (
                config_class(source="synthetic") if config_class is DataConfig else config_class()
            )
    try:
        request = RunRequest(**configs, horizon=horizon)
    except ConfigError as error:
        ignored.append(f"{HORIZON} ({error})")
        request = RunRequest(**configs)
    return ParsedLink(request=request, ignored=tuple(ignored))
