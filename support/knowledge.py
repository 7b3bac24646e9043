"""Loads and validates the knowledge data (knowledge/*.yml).

The files are checked against the schemas in `support.schema` and for
consistency (known partner ids, regions, time zones). Any problem raises
`KnowledgeError` naming the file, the entry and the field, so a broken file
stops the action server at start-up instead of producing wrong answers.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jsonschema
import yaml

from support.schema import FILES

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "knowledge"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class KnowledgeError(ValueError):
    """A knowledge file is missing, malformed or inconsistent."""

    def __init__(self, file: str, entry: str, field: str, message: str) -> None:
        self.file, self.entry, self.field = file, entry, field
        super().__init__(f"{file}: entry {entry}: field {field}: {message}")


@dataclass(frozen=True)
class Source:
    line: int
    quote: str


@dataclass(frozen=True)
class Hours:
    """Opening hours; `days`/`open`/`close` are None where the source gives none."""

    days: Optional[Tuple[str, ...]]
    open: Optional[int]  # minutes after midnight
    close: Optional[int]  # minutes after midnight, 1440 for 24:00
    text: str


@dataclass(frozen=True)
class Hotline:
    number: str
    hours: Hours
    note: Mapping[str, str]
    source: Source


@dataclass(frozen=True)
class Country:
    code: str
    names: Mapping[str, Sequence[str]]
    time_zone: str
    time_zone_assumed: bool
    service_region: str
    warranty_region: Optional[str]
    hotline: Optional[Hotline]
    whatsapp_until: Optional[int]
    partners: Tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.names[lang][0]


@dataclass(frozen=True)
class Knowledge:
    countries: Dict[str, Country]
    partners: Dict[str, Dict[str, Any]]
    partner_model_regions: List[Dict[str, Any]]
    partner_model_note: Dict[str, Any]
    regions: Dict[str, Dict[str, Any]]
    warranty: Dict[str, Any]
    channels: Dict[str, Dict[str, Any]]
    tools: Dict[str, Dict[str, Any]]
    products: Dict[str, Any]

    @property
    def iws_models(self) -> List[str]:
        return list(self.warranty["iws"]["models"])

    def period_for_region(self, region: Optional[str]) -> Optional[Dict[str, Any]]:
        return next((p for p in self.warranty["periods"] if p["region"] == region), None)

    def is_eu_member(self, code: str) -> bool:
        return code in self.warranty["eu_members"]


def parse_clock(value: Optional[str]) -> Optional[int]:
    if value is None:
        return None
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _label(collection: str, index: int, ident: Optional[str]) -> str:
    """"countries[3] (DE)": the entry's position in its file and its id."""
    return f"{collection}[{index}]" + (f" ({ident})" if ident else "")


def _dotted(parts: Sequence[Any]) -> str:
    """["hotline", "hours", "days", 5] -> "hotline.hours.days[5]"."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _entry_label(document: Any, path: Sequence[Any], missing: Optional[str] = None) -> Tuple[str, str]:
    """Splits a JSON path into the entry and the field of a validation error:
    ("countries", 3, "hotline", "number") -> ("countries[3] (DE)", "hotline.number");
    ("accessories", "months") -> ("accessories", "months"). `missing` is the name
    of a required field that is absent (the path then ends at its parent)."""
    path = list(path) + ([missing] if missing else [])
    if not path:
        return "(top level)", "(whole file)"
    if len(path) >= 2 and isinstance(path[1], int):
        try:
            node = document[path[0]][path[1]]
        except (IndexError, KeyError, TypeError):
            node = None
        ident = None
        if isinstance(node, dict):
            ident = node.get("code") or node.get("id") or node.get("region")
        entry, rest = _label(str(path[0]), path[1], ident), path[2:]
    else:
        entry, rest = str(path[0]), path[1:]
    return entry, _dotted(rest) or "(whole entry)"


def _read(directory: Path, name: str) -> Dict[str, Any]:
    path = directory / name
    if not path.is_file():
        raise KnowledgeError(name, "(file)", "(file)", f"missing: {path}")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeError(name, "(file)", "(syntax)", f"not valid YAML: {exc}") from exc
    validator = jsonschema.Draft7Validator(FILES[name])
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        missing = re.match(r"'(.+)' is a required property", error.message) if error.validator == "required" else None
        entry, field = _entry_label(document, list(error.absolute_path), missing.group(1) if missing else None)
        raise KnowledgeError(name, entry, field, error.message)
    return document


def _hours(raw: Dict[str, Any]) -> Hours:
    days = tuple(raw["days"]) if raw["days"] else None
    return Hours(days=days, open=parse_clock(raw["open"]), close=parse_clock(raw["close"]), text=raw["text"])


def _country(raw: Dict[str, Any], index: int) -> Country:
    label = _label("countries", index, raw["code"])
    try:
        ZoneInfo(raw["time_zone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise KnowledgeError("countries.yml", label, "time_zone", f"unknown time zone {raw['time_zone']!r}") from exc
    hotline = None
    if raw["hotline"]:
        hours = _hours(raw["hotline"]["hours"])
        if (hours.open is None) != (hours.close is None):
            raise KnowledgeError("countries.yml", label, "hotline.hours", "open and close must both be given or both be null")
        if hours.open is not None and hours.close is not None and hours.open >= hours.close:
            raise KnowledgeError("countries.yml", label, "hotline.hours.close", "closing time must be after opening time")
        source = Source(**raw["hotline"]["source"])
        hotline = Hotline(raw["hotline"]["number"], hours, dict(raw["hotline"]["note"]), source)
    whatsapp = raw.get("whatsapp")
    return Country(
        code=raw["code"],
        names={lang: tuple(names) for lang, names in raw["names"].items()},
        time_zone=raw["time_zone"],
        time_zone_assumed=bool(raw.get("time_zone_assumed", False)),
        service_region=raw["service_region"],
        warranty_region=raw["warranty_region"],
        hotline=hotline,
        whatsapp_until=parse_clock(whatsapp["until"]) if whatsapp else None,
        partners=tuple(raw["partners"]),
    )


def load_knowledge(directory: Optional[Path] = None) -> Knowledge:
    """Reads, validates and cross-checks every knowledge file."""
    directory = Path(directory or os.environ.get("KNOWLEDGE_DIR") or DEFAULT_DIR)
    docs = {name: _read(directory, name) for name in FILES}

    countries: Dict[str, Country] = {}
    for index, raw in enumerate(docs["countries.yml"]["countries"]):
        if raw["code"] in countries:
            raise KnowledgeError("countries.yml", _label("countries", index, raw["code"]), "code", "duplicate country code")
        countries[raw["code"]] = _country(raw, index)

    partners = {p["id"]: p for p in docs["partners.yml"]["partners"]}
    regions = {r["id"]: r for r in docs["regions.yml"]["regions"]}
    warranty = docs["warranty.yml"]
    period_regions = {p["region"] for p in warranty["periods"]}
    for position, country in enumerate(countries.values()):
        label = _label("countries", position, country.code)
        for index, partner in enumerate(country.partners):
            if partner not in partners:
                raise KnowledgeError("countries.yml", label, f"partners[{index}]", f"unknown partner id {partner!r}")
        if country.service_region not in regions:
            raise KnowledgeError("countries.yml", label, "service_region", f"no region {country.service_region!r} in regions.yml")
        if country.warranty_region and country.warranty_region not in period_regions:
            raise KnowledgeError("countries.yml", label, "warranty_region", f"no warranty period for {country.warranty_region!r}")
    for position, region in enumerate(regions.values()):
        for index, code in enumerate(region["countries"]):
            if code not in countries:
                raise KnowledgeError("regions.yml", _label("regions", position, region["id"]), f"countries[{index}]", f"unknown country {code!r}")

    channels = {c["id"]: c for c in docs["channels.yml"]["channels"]}
    for position, channel in enumerate(channels.values()):
        for index, code in enumerate(channel.get("areas", [])):
            if code not in countries:
                raise KnowledgeError("channels.yml", _label("channels", position, channel["id"]), f"areas[{index}]", f"unknown country {code!r}")

    return Knowledge(
        countries=countries,
        partners=partners,
        partner_model_regions=docs["partners.yml"]["partner_model_regions"],
        partner_model_note=docs["partners.yml"]["partner_model_note"],
        regions=regions,
        warranty=warranty,
        channels=channels,
        tools={t["id"]: t for t in docs["self_service.yml"]["tools"]},
        products=docs["products.yml"],
    )


@functools.lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The process-wide knowledge, loaded once."""
    return load_knowledge()


def iter_sources(directory: Optional[Path] = None):
    """Yields (file, path, source) for every `source`-like mapping in the files."""
    directory = Path(directory or os.environ.get("KNOWLEDGE_DIR") or DEFAULT_DIR)

    def walk(node: Any, path: str):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("source") and isinstance(value, dict) and "quote" in value:
                    yield path + "." + key, value
                else:
                    yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{path}[{index}]")

    for name in FILES:
        document = yaml.safe_load((directory / name).read_text(encoding="utf-8"))
        for path, source in walk(document, ""):
            yield name, path.lstrip("."), source
