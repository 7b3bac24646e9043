"""The knowledge data (knowledge/*.yml) against its fact source, and every
validation error path of `support.knowledge.load_knowledge`.

Part 1 checks the real data against the article
../shared/source/global-support-article.de.txt: every `source` quote is on its
line, every number/hours text/partner/IWS model is in the article, and the two
hotline tables of the article (parsed here, not hard-coded) match
countries.yml one to one.

Part 2 copies knowledge/ to a temporary directory, breaks one thing and
expects a KnowledgeError whose .file/.entry/.field name the culprit. The
action server imports `actions`, which loads the knowledge: a broken file must
make that import fail loudly.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
import yaml

from support.knowledge import DEFAULT_DIR, KnowledgeError, iter_sources, load_knowledge

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE_DIR = ROOT / "knowledge"
ARTICLE_DEFAULT = Path(__file__).resolve().parents[2].parent / "shared/source/global-support-article.de.txt"


def _article_path() -> Path:
    if ARTICLE_DEFAULT.is_file():
        return ARTICLE_DEFAULT
    env = os.environ.get("SUPPORT_ARTICLE")
    if env and Path(env).is_file():
        return Path(env)
    pytest.skip(
        f"fact source not found: neither {ARTICLE_DEFAULT} exists nor SUPPORT_ARTICLE points at a file "
        f"(SUPPORT_ARTICLE={env!r}); the knowledge cannot be checked against it"
    )


@pytest.fixture(scope="module")
def article_lines() -> List[str]:
    return _article_path().read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def article_text(article_lines) -> str:
    return "\n".join(article_lines)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge(KNOWLEDGE_DIR)


def parse_tables(lines: List[str]) -> List[List[Tuple[int, List[str]]]]:
    """The article's Markdown tables: a list of tables, each a list of
    (1-based line number, cells) for the data rows (header and --- rule skipped)."""
    tables: List[List[Tuple[int, List[str]]]] = []
    current: List[Tuple[int, List[str]]] = []
    in_table = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [cell.strip() for cell in stripped.strip("|").split("|")]
            if not in_table:
                in_table, current = True, []
                continue  # header row
            if all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
                continue  # separator
            current.append((number, cells))
        elif in_table:
            tables.append(current)
            in_table = False
    if in_table:
        tables.append(current)
    return tables


@pytest.fixture(scope="module")
def table_rows(article_lines) -> List[Tuple[int, List[str]]]:
    tables = parse_tables(article_lines)
    assert len(tables) == 2, f"expected the article's two hotline tables (Europe, Asia-Pacific), found {len(tables)}"
    assert all(tables), "a hotline table of the article has no rows"
    return [row for table in tables for row in table]


# --- the real knowledge ------------------------------------------------------


def test_real_knowledge_loads(kb):
    assert kb.countries["DE"].hotline.number == "0800 223 11 44"
    assert kb.countries["DE"].name("de") == "Deutschland"
    assert kb.countries["DE"].name("en") == "Germany"
    assert kb.countries["CN"].hotline is None
    assert kb.iws_models == [
        "Xiaomi 15 Ultra",
        "Xiaomi 14 Ultra",
        "Xiaomi 13 Ultra",
        "Xiaomi 13 Pro",
        "Xiaomi 12 Pro",
        "Xiaomi MIX Flip",
    ]
    assert {p["region"]: p["months"] for p in kb.warranty["periods"]} == {"eu": 24, "india": 12, "sea": 12}
    assert kb.warranty["accessories"]["months"] == 6
    assert kb.countries["ID"].whatsapp_until == 24 * 60


def test_iter_sources_finds_sources_in_every_file():
    files = {name for name, _path, _source in iter_sources(KNOWLEDGE_DIR)}
    assert files == {"countries.yml", "partners.yml", "regions.yml", "warranty.yml", "channels.yml", "self_service.yml"}
    # products.yml is vocabulary, not facts: it has no source.
    assert len(list(iter_sources(KNOWLEDGE_DIR))) >= 30


SOURCES = list(iter_sources(DEFAULT_DIR))


@pytest.mark.parametrize("name,path,source", SOURCES, ids=[f"{n}:{p}" for n, p, _ in SOURCES])
def test_every_source_quote_is_verbatim_on_its_line(article_lines, name, path, source):
    line = source["line"]
    assert 1 <= line <= len(article_lines), f"{name} {path}: line {line} is outside the article (1..{len(article_lines)})"
    assert source["quote"] in article_lines[line - 1], (
        f"{name} {path}: quote {source['quote']!r} is not on article line {line}: {article_lines[line - 1]!r}"
    )


def test_hotline_numbers_and_hours_texts_are_in_the_article(kb, article_text):
    for code, country in kb.countries.items():
        if country.hotline is None:
            continue
        assert country.hotline.number in article_text, f"{code}: number {country.hotline.number!r} not in the article"
        assert country.hotline.hours.text in article_text, f"{code}: hours {country.hotline.hours.text!r} not in the article"
        assert country.hotline.note["de"] in article_text, f"{code}: note {country.hotline.note['de']!r} not in the article"


def test_whatsapp_times_are_in_the_article(kb, article_text):
    for code, country in kb.countries.items():
        if country.whatsapp_until is not None:
            clock = f"{country.whatsapp_until // 60:02d}:{country.whatsapp_until % 60:02d}"
            assert f"WhatsApp-Unterstützung bis {clock}" in article_text, code


def test_partner_names_are_in_the_article(kb, article_text):
    assert {p["name"] for p in kb.partners.values()} == {"SBE Ltd", "B2X", "Anovo", "Xiaomi"}
    for partner in kb.partners.values():
        assert partner["name"] in article_text, partner["id"]


def test_iws_models_are_in_the_article(kb, article_text):
    for model in kb.iws_models:
        assert model in article_text, model


def test_warranty_months_are_in_the_article(kb, article_text):
    for period in kb.warranty["periods"]:
        assert f"{period['months']}-monatige" in article_text, period["region"]
    assert f"{kb.warranty['accessories']['months']}-monatige Garantiezeit" in article_text


def test_article_tables_have_the_expected_shape(table_rows):
    # Land | Hotline | Service-Stunden | Hinweise/Anmerkungen
    assert all(len(cells) == 4 for _line, cells in table_rows)
    assert len(table_rows) >= 2


def _country_for_table_name(kb, name: str):
    found = [c for c in kb.countries.values() if name in c.names["de"]]
    assert len(found) == 1, f"article country {name!r} matches {len(found)} entries of countries.yml (by German name)"
    return found[0]


def test_every_country_of_the_article_tables_is_in_countries_yml(kb, table_rows):
    for line, (name, number, hours_text, note) in table_rows:
        country = _country_for_table_name(kb, name)
        assert country.hotline is not None, f"{name} has a hotline in the article (line {line}) but none in countries.yml"
        assert country.hotline.number == number, name
        assert country.hotline.hours.text == hours_text, name
        assert country.hotline.note["de"] == note, name
        assert country.hotline.source.line == line, f"{name}: source line {country.hotline.source.line}, table row is line {line}"


def test_no_other_country_has_a_hotline(kb, table_rows):
    in_article = {_country_for_table_name(kb, cells[0]).code for _line, cells in table_rows}
    with_hotline = {code for code, country in kb.countries.items() if country.hotline is not None}
    assert with_hotline == in_article


def test_the_tables_are_parsed_from_the_article_not_assumed(table_rows):
    # A few cells written out by hand, so a broken parser cannot pass by matching nothing.
    rows = {cells[0]: cells for _line, cells in table_rows}
    assert rows["Deutschland"][1] == "0800 223 11 44"
    assert rows["Philippinen"][2] == "Geschäftszeiten"
    assert rows["Indien"][2] == "08:00-23:00 (täglich)"


# --- validation errors --------------------------------------------------------


@pytest.fixture
def broken_dir(tmp_path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def edit_yaml(directory: Path, name: str, change: Callable[[Dict], None]) -> None:
    path = directory / name
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _step(node, part):
    """One step of a path; a two-letter upper-case part picks a country by its code."""
    if isinstance(part, str) and len(part) == 2 and part.isupper() and isinstance(node, list):
        return next(entry for entry in node if entry.get("code") == part)
    return node[part]


def test_an_unchanged_round_tripped_copy_loads(broken_dir):
    """Guards the tests below: rewriting the YAML alone breaks nothing."""
    for name in ("countries.yml", "partners.yml", "regions.yml", "warranty.yml", "channels.yml", "self_service.yml", "products.yml"):
        edit_yaml(broken_dir, name, lambda document: None)
    kb = load_knowledge(broken_dir)
    assert kb.countries["DE"].hotline.number == "0800 223 11 44"
    assert kb.countries["ID"].hotline.number == "00180300650029"
    assert kb.countries["ID"].whatsapp_until == 1440


def _set(path: List, value):
    def change(document):
        node = document
        for part in path[:-1]:
            node = _step(node, part)
        node[path[-1]] = value

    return change


def _delete(path: List):
    def change(document):
        node = document
        for part in path[:-1]:
            node = _step(node, part)
        del node[path[-1]]

    return change


def _append(path: List, value):
    def change(document):
        node = document
        for part in path:
            node = _step(node, part)
        node.append(value)

    return change


def _drop_period(region):
    def change(document):
        document["periods"] = [p for p in document["periods"] if p["region"] != region]

    return change


# DE is countries[3], FR countries[0], IT countries[1] in knowledge/countries.yml.
BROKEN = [
    pytest.param(
        "countries.yml", _set(["countries", "DE", "hotline", "number"], 8002231144),
        ("countries.yml", "countries[3] (DE)", "hotline.number"), id="wrong-type-number",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "partners"], "b2x"),
        ("countries.yml", "countries[3] (DE)", "partners"), id="wrong-type-partners",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "hotline", "hours", "open"], "25:00"),
        ("countries.yml", "countries[3] (DE)", "hotline.hours.open"), id="bad-clock-25:00",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "hotline", "hours", "days"], ["mon", "tue", "wed", "thu", "fri", "sam"]),
        ("countries.yml", "countries[3] (DE)", "hotline.hours.days[5]"), id="unknown-weekday",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "hotline", "hours", "open"], "21:00"),
        ("countries.yml", "countries[3] (DE)", "hotline.hours.close"), id="open-after-close",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "hotline", "hours", "close"], None),
        ("countries.yml", "countries[3] (DE)", "hotline.hours"), id="open-without-close",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "time_zone"], "Europe/Atlantis"),
        ("countries.yml", "countries[3] (DE)", "time_zone"), id="unknown-time-zone",
    ),
    pytest.param(
        "countries.yml", _set(["countries", 1, "code"], "FR"),
        ("countries.yml", "countries[1] (FR)", "code"), id="duplicate-country-code",
    ),
    pytest.param(
        "countries.yml", _set(["countries", "DE", "partners"], ["b2x", "acme"]),
        ("countries.yml", "countries[3] (DE)", "partners[1]"), id="unknown-partner-id",
    ),
    pytest.param(
        "regions.yml", _append(["regions", 0, "countries"], "XX"),
        ("regions.yml", "regions[0] (europe)", "countries[6]"), id="unknown-region-country",
    ),
    pytest.param(
        "warranty.yml", _drop_period("sea"),
        ("countries.yml", "countries[7] (ID)", "warranty_region"), id="warranty-region-without-period",
    ),
    pytest.param(
        "channels.yml", _append(["channels", 3, "areas"], "XX"),
        ("channels.yml", "channels[3] (whatsapp)", "areas[3]"), id="unknown-whatsapp-area",
    ),
]


@pytest.mark.parametrize("name,change,expected", BROKEN)
def test_broken_knowledge_names_file_entry_and_field(broken_dir, name, change, expected):
    edit_yaml(broken_dir, name, change)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    error = caught.value
    assert (error.file, error.entry, error.field) == expected, str(error)
    assert str(error).startswith(f"{expected[0]}: entry {expected[1]}: field {expected[2]}: ")


def test_missing_file(broken_dir):
    (broken_dir / "partners.yml").unlink()
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("partners.yml", "(file)", "(file)")
    assert "missing" in str(caught.value)


def test_invalid_yaml(broken_dir):
    (broken_dir / "countries.yml").write_text("countries:\n  - code: DE\n    names: {de: [Deutschland\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("countries.yml", "(file)", "(syntax)")
    assert "not valid YAML" in str(caught.value)


def test_missing_required_field_is_reported_for_its_entry(broken_dir):
    edit_yaml(broken_dir, "countries.yml", _delete(["countries", "DE", "hotline", "number"]))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    error = caught.value
    assert (error.file, error.entry) == ("countries.yml", "countries[3] (DE)")
    assert error.field.startswith("hotline")
    assert "'number' is a required property" in str(error)


def test_source_without_quote_is_reported_for_its_entry(broken_dir):
    edit_yaml(broken_dir, "countries.yml", _delete(["countries", "DE", "hotline", "source", "quote"]))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    error = caught.value
    assert (error.file, error.entry) == ("countries.yml", "countries[3] (DE)")
    assert error.field.startswith("hotline.source")
    assert "'quote' is a required property" in str(error)


def test_partner_source_without_quote(broken_dir):
    edit_yaml(broken_dir, "partners.yml", _delete(["partners", 0, "source", "quote"]))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    assert (caught.value.file, caught.value.entry) == ("partners.yml", "partners[0] (sbe)")
    assert caught.value.field.startswith("source")


@pytest.mark.parametrize(
    "path,field",
    [
        (["countries", "DE", "hotline", "number"], "hotline.number"),
        (["countries", "DE", "hotline", "source", "quote"], "hotline.source.quote"),
        (["countries", "DE", "time_zone"], "time_zone"),
    ],
    ids=["hotline.number", "hotline.source.quote", "time_zone"],
)
def test_missing_required_field_is_named_in_field(broken_dir, path, field):
    edit_yaml(broken_dir, "countries.yml", _delete(path))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("countries.yml", "countries[3] (DE)", field)


@pytest.mark.parametrize(
    "change,key,leaf",
    [
        (_set(["accessories", "months"], "six"), "accessories", "months"),
        (_delete(["iws", "models_source", "quote"]), "iws", "quote"),
    ],
    ids=["wrong-type-accessories.months", "iws.models_source-without-quote"],
)
def test_errors_outside_lists_name_entry_and_field(broken_dir, change, key, leaf):
    edit_yaml(broken_dir, "warranty.yml", change)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    error = caught.value
    assert error.file == "warranty.yml"
    # However entry and field split the path, together they must spell it out.
    components = [part for part in re.split(r"[.\[\]() ]+", f"{error.entry}.{error.field}") if part]
    assert key in components, (error.entry, error.field)
    assert error.field != "(whole entry)"
    assert error.field.split(".")[-1] == leaf, error.field


def test_clock_after_24_00_is_rejected(broken_dir):
    edit_yaml(broken_dir, "countries.yml", _set(["countries", "DE", "hotline", "hours", "close"], "24:30"))
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(broken_dir)
    assert (caught.value.file, caught.value.entry, caught.value.field) == (
        "countries.yml", "countries[3] (DE)", "hotline.hours.close",
    )


# --- the action server refuses to start --------------------------------------


def _import_actions(knowledge_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["KNOWLEDGE_DIR"] = str(knowledge_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", "import actions"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_importing_actions_with_broken_knowledge_fails(broken_dir):
    edit_yaml(broken_dir, "countries.yml", _set(["countries", "DE", "hotline", "hours", "open"], "25:00"))
    result = _import_actions(broken_dir)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "KnowledgeError" in output
    assert "countries.yml: entry countries[3] (DE): field hotline.hours.open" in output


def test_importing_actions_with_a_good_copy_succeeds(broken_dir):
    result = _import_actions(broken_dir)
    assert result.returncode == 0, result.stdout + result.stderr
