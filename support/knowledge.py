"""Loads and validates the knowledge data (knowledge/*.yml).

The files are checked against the schemas in `support.schema` and for
consistency (known partner ids, regions, time zones). Any problem raises
`KnowledgeError` naming the file, the entry and the field, so a broken file
stops the action server at start-up instead of producing wrong answers.
"""
from __future__ import annotations

import functools
import os
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


def _entry_label(document: Any, path: Sequence[Any]) -> Tuple[str, str]:
    """Turns a JSON path into ("countries[3] (DE)", "hotline.number")."""
    entry_parts: List[str] = []
    node = document
    index = 0
    for index, part in enumerate(path):
        if isinstance(part, int):
            entry_parts.append(f"[{part}]")
            try:
                node = node[part]
            except (IndexError, KeyError, TypeError):
                node = None
            if isinstance(node, dict):
                ident = node.get("code") or node.get("id") or node.get("region")
                if ident:
                    entry_parts.append(f" ({ident})")
            field = ".".join(str(p) for p in path[index + 1 :])
            return "".join(entry_parts), field or "(whole entry)"
        entry_parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return "".join(entry_parts) or "(top level)", "(whole entry)"


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
        entry, field = _entry_label(document, list(error.absolute_path))
        raise KnowledgeError(name, entry, field, error.message)
    return document


def _hours(raw: Dict[str, Any]) -> Hours:
    days = tuple(raw["days"]) if raw["days"] else None
    return Hours(days=days, open=parse_clock(raw["open"]), close=parse_clock(raw["close"]), text=raw["text"])


def _country(raw: Dict[str, Any], index: int) -> Country:
    label = f"countries[{index}] ({raw['code']})"
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
            raise KnowledgeError("countries.yml", f"countries[{index}] ({raw['code']})", "code", "duplicate country code")
        countries[raw["code"]] = _country(raw, index)

    partners = {p["id"]: p for p in docs["partners.yml"]["partners"]}
    for country in countries.values():
        for index, partner in enumerate(country.partners):
            if partner not in partners:
                raise KnowledgeError("countries.yml", f"countries ({country.code})", f"partners[{index}]", f"unknown partner id {partner!r}")

    regions = {r["id"]: r for r in docs["regions.yml"]["regions"]}
    for region in regions.values():
        for index, code in enumerate(region["countries"]):
            if code not in countries:
                raise KnowledgeError("regions.yml", f"regions ({region['id']})", f"countries[{index}]", f"unknown country {code!r}")
    for country in countries.values():
        if country.service_region not in regions:
            raise KnowledgeError("countries.yml", f"countries ({country.code})", "service_region", f"no region {country.service_region!r} in regions.yml")

    warranty = docs["warranty.yml"]
    period_regions = {p["region"] for p in warranty["periods"]}
    for country in countries.values():
        if country.warranty_region and country.warranty_region not in period_regions:
            raise KnowledgeError("countries.yml", f"countries ({country.code})", "warranty_region", f"no warranty period for {country.warranty_region!r}")

    channels = {c["id"]: c for c in docs["channels.yml"]["channels"]}
    for index, code in enumerate(channels.get("whatsapp", {}).get("areas", [])):
        if code not in countries:
            raise KnowledgeError("channels.yml", "channels (whatsapp)", f"areas[{index}]", f"unknown country {code!r}")

    return Knowledge(
        countries=countries,
        partners=partners,
        partner_model_regions=docs["partners.yml"]["partner_model_regions"],
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
    directory = Path(directory or DEFAULT_DIR)

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
