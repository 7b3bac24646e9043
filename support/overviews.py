"""The overviews the bot gives when no country is named (who runs service,
how service is organised, the warranty periods), built from knowledge/ so
that every fact in them has one home. Pure: actions put the result into the
domain's `utter_*_overview` responses."""
from __future__ import annotations

from typing import Dict, List, Tuple

from support import formatting
from support.knowledge import Knowledge
from support.phrases import phrase, pick


def partner_lines(kb: Knowledge, lang: str) -> str:
    lines = []
    for partner in kb.partners.values():
        key = "overview_partner_direct" if partner["kind"] == "direct" else "overview_partner_line"
        lines.append(phrase(key, lang, label=pick(partner["label"], lang), name=partner["name"]))
    return "\n".join(lines)


def partner_overview(kb: Knowledge, lang: str) -> Dict[str, str]:
    return {"partners": partner_lines(kb, lang), "partner_model": pick(kb.partner_model_note["text"], lang)}


def regional_overview(kb: Knowledge, lang: str) -> Dict[str, str]:
    return {"regions": "\n".join(f"• {pick(region['summary'], lang)}" for region in kb.regions.values())}


def warranty_overview(kb: Knowledge, lang: str) -> Dict[str, str]:
    """One line per period (regions with the same period and qualifier share it), then accessories."""
    groups: Dict[Tuple[int, str], List[str]] = {}
    for period in kb.warranty["periods"]:
        groups.setdefault((period["months"], period["qualifier"]), []).append(phrase(f"region_label_{period['region']}", lang))
    lines = [phrase(f"overview_period_{qualifier}", lang, places=formatting.join(places, lang),
                    months=formatting.months(months, lang))
             for (months, qualifier), places in groups.items()]
    accessories = kb.warranty["accessories"]
    lines.append(phrase("overview_period_accessory", lang, months=formatting.months(accessories["months"], lang)))
    return {"periods": "\n".join(lines), "eu_rule": pick(kb.warranty["eu_rule"]["text"], lang)}
