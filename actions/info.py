"""Service partners, regional service models, channels and self-service tools."""
from __future__ import annotations

import abc
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import countries_in_message, covered, entity_values, language, remember
from actions.country_topic import MAX_COUNTRIES, CountryTopicAction
from actions.hotline import ActionHotline, hours_text, utter_hotline
from actions.multi_topic import TopicAction
from support import formatting, overviews
from support.followups import asks
from support.knowledge import knowledge
from support.names import CountryMatch, countries, partners_named
from support.retrieval import CHANNEL_WORDS, TOOL_WORDS, better_elsewhere, catalogue, excluded_entries, match_words
from support.vocabulary import entity_vocabulary
from support.phrases import phrase, pick
from support.text import fold


def _describe(dispatcher: CollectingDispatcher, response: str, entry: Dict[str, Any], lang: str) -> None:
    dispatcher.utter_message(response=response, name=pick(entry["names"], lang), purpose=pick(entry["purpose"], lang))


def describe_entry(dispatcher: CollectingDispatcher, kind: str, ident: str, lang: str) -> bool:
    """A channel's or tool's entry once more ("wo bekomm ich die?"); False when unknown."""
    kb = knowledge()
    entries, response = {"channel": (kb.channels, "utter_channel_info"), "tool": (kb.tools, "utter_tool_info")}.get(kind, ({}, ""))
    if ident not in entries:
        return False
    _describe(dispatcher, response, entries[ident], lang)
    return True


def utter_region_countries(dispatcher: CollectingDispatcher, ident: str, lang: str) -> bool:
    """The countries the source counts to a region ("welche Länder gehören dazu?")."""
    region = knowledge().regions.get(ident)
    if region is None or not region.get("countries"):
        return False
    names = [countries().resolve(code).name(lang) for code in region["countries"]]
    dispatcher.utter_message(response="utter_region_countries", region=pick({k: v[0] for k, v in region["names"].items()}, lang),
                             countries=formatting.join(names, lang))
    return True


def _listing(entries, lang: str) -> str:
    return "\n".join(phrase("list_item", lang, name=pick(e["names"], lang), purpose=pick(e["purpose"], lang)) for e in entries)


def utter_whatsapp(dispatcher: CollectingDispatcher, lang: str) -> None:
    kb = knowledge()
    areas = [kb.countries[code].name(lang) for code in kb.channels["whatsapp"].get("areas", [])]
    dispatcher.utter_message(response="utter_whatsapp_areas", areas=formatting.join(areas, lang))
    for country in kb.countries.values():
        if country.whatsapp_until is not None:
            until = formatting.minutes_clock(country.whatsapp_until)
            dispatcher.utter_message(response="utter_whatsapp_until", country=country.name(lang), until=until)


def asked_entries(tracker: Tracker, entity: str, words: Dict[str, tuple]) -> List[str]:
    """Ids of the channels/tools the latest message names, in order, once each
    (not those it rules out)."""
    excluded = excluded_entries(tracker.latest_message.get("text") or "", words)
    asked = [match_words(value, words) for value in entity_values(tracker, entity)]
    return [ident for ident in dict.fromkeys(asked) if ident and ident not in excluded]


def names_entry_outright(text: str, words: Dict[str, tuple], ident: str) -> bool:
    """Whether the message names the entry by its own name ("whatsapp", "hyperos"),
    not by a word it shares with others ("app", "update")."""
    shared = set(entity_vocabulary()["catalogue_shared_words"])
    folded = fold(text).replace(" ", "")
    return any(word in folded for word in words.get(ident, ()) if word not in shared and len(word) > 3)


class CatalogueAction(TopicAction, abc.ABC):
    """Describes the catalogue entries (channels, tools) the message names, or
    lists them all when it names none. Abstract: the SDK registers only its
    subclasses."""

    entity: Text
    words: Dict[str, tuple]
    overview_response: Text
    overview_field: Text  # the placeholder of the overview response
    info_response: Text
    topic: Text

    @abc.abstractmethod
    def entries(self) -> Dict[str, Dict[str, Any]]:
        """The catalogue from the knowledge data, by id."""

    def after_entry(self, dispatcher: CollectingDispatcher, ident: str, lang: str) -> None:
        """More to say after one entry (nothing by default)."""

    def for_countries(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> Optional[List[Dict[Text, Any]]]:
        """The answer for countries the message names instead of an entry (None: the overview)."""
        return None

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        lang = language(tracker)
        entries = self.entries()
        text = tracker.latest_message.get("text") or ""
        excluded = excluded_entries(text, self.words)
        asked = asked_entries(tracker, self.entity, self.words)
        if not asked and not excluded:
            asked = [ident for ident, _ in catalogue(self.entity).search(text)]
        if not asked and not excluded:
            events = self.for_countries(dispatcher, tracker, lang)
            if events is not None:
                return events
        elsewhere = better_elsewhere(text, self.entity) if len(asked) <= 1 and not excluded else None
        if elsewhere is not None and (not asked or not names_entry_outright(text, self.words, asked[0])):
            # "firmware diagnose machen wie?": the Support App's diagnosis, not the firmware site
            describe_entry(dispatcher, *elsewhere, lang)
            return [SlotSet("last_topic", "channels" if elsewhere[0] == "channel" else "self_service"),
                    SlotSet("last_entry", ":".join(elsewhere))]
        if not asked:
            shown = [entry for ident, entry in entries.items() if ident not in excluded]
            dispatcher.utter_message(response=self.overview_response, **{self.overview_field: _listing(shown, lang)})
        for ident in asked:
            _describe(dispatcher, self.info_response, entries[ident], lang)
            self.after_entry(dispatcher, ident, lang)
        entry = f"{self.entity}:{asked[0]}" if len(asked) == 1 else None
        return [SlotSet("last_topic", self.topic), SlotSet("last_entry", entry)]


class ActionChannels(CatalogueAction):
    entity, words, topic = "channel", CHANNEL_WORDS, "channels"
    overview_response, overview_field, info_response = "utter_channels_overview", "channels", "utter_channel_info"

    def name(self) -> Text:
        return "action_channels"

    def entries(self) -> Dict[str, Dict[str, Any]]:
        return knowledge().channels

    def after_entry(self, dispatcher: CollectingDispatcher, ident: str, lang: str) -> None:
        if ident == "whatsapp":
            utter_whatsapp(dispatcher, lang)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        named, _ = countries_in_message(tracker)
        if asked_entries(tracker, self.entity, self.words) == ["hotline"]:
            # "ok the hotline then" after Malaysia's WhatsApp: that country's hotline, not what a hotline is
            matches = named or [m for m in [countries().resolve(tracker.get_slot("country"))] if m]
            if matches:
                for match in matches[:MAX_COUNTRIES]:
                    ActionHotline().respond(dispatcher, tracker, language(tracker), match)
                return remember(matches[0], "hotline", matches[:MAX_COUNTRIES])
        events = await super().answer(dispatcher, tracker, domain)
        if named and not any(e.get("name") == "country" for e in events):
            events.append(SlotSet("country", named[0].code))  # "malaysia whatsapp number?": the country stays
        return events

    def for_countries(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> Optional[List[Dict[Text, Any]]]:
        """"china support how?": how service works there (the regional model, its
        hotline and partner), which says more than the list of every channel."""
        matches, _ = countries_in_message(tracker)
        if not matches:
            return None
        regional = ActionRegionalService()
        for match in matches[:MAX_COUNTRIES]:
            regional.respond(dispatcher, tracker, lang, match)
        return remember(matches[0], regional.topic, matches[:MAX_COUNTRIES])


class ActionSelfService(CatalogueAction):
    entity, words, topic = "tool", TOOL_WORDS, "self_service"
    overview_response, overview_field, info_response = "utter_self_service_overview", "tools", "utter_tool_info"

    def name(self) -> Text:
        return "action_self_service"

    def entries(self) -> Dict[str, Dict[str, Any]]:
        return knowledge().tools


def utter_partner(dispatcher: CollectingDispatcher, match: CountryMatch, lang: str) -> None:
    kb = knowledge()
    country = covered(match)
    if country is None:
        regions = [r for r in kb.partner_model_regions if match.code in r["countries"]]
        if regions:
            dispatcher.utter_message(
                response="utter_partner_model_region", region=pick(regions[0]["names"], lang), country=match.name(lang)
            )
        else:
            dispatcher.utter_message(response="utter_partner_none_named", country=match.name(lang))
        return
    partners = [kb.partners[p] for p in country.partners]
    if any(p["kind"] == "direct" for p in partners):
        dispatcher.utter_message(response="utter_partner_direct", country=country.name(lang))
    elif partners:
        dispatcher.utter_message(
            response="utter_partner_country",
            country=country.name(lang),
            partners=formatting.join((p["name"] for p in partners), lang),
        )
    else:
        dispatcher.utter_message(response="utter_partner_none_named", country=country.name(lang))


class ActionServicePartner(CountryTopicAction):
    topic = "partner"

    def name(self) -> Text:
        return "action_service_partner"

    async def answer(self, dispatcher, tracker, domain):
        named = partners_named(tracker.latest_message.get("text") or "")
        matches, unknown = countries_in_message(tracker)
        if named and not (matches or unknown):
            # "is SBE Ltd legit?": what the source says of that partner, whatever country came before
            lang = language(tracker)
            for partner in named:
                dispatcher.utter_message(response="utter_partner_country", country=pick(partner["scope"], lang), partners=partner["name"])
            return [SlotSet("last_topic", self.topic)]
        return await super().answer(dispatcher, tracker, domain)

    def ask_country(self, dispatcher, tracker, lang) -> None:
        dispatcher.utter_message(response="utter_partner_overview", **overviews.partner_overview(knowledge(), lang))

    def respond(self, dispatcher, tracker, lang, match) -> None:
        utter_partner(dispatcher, match, lang)
        country = covered(match)
        if country is not None and country.hotline is not None:
            # "who do I ask in the UK?": the partner repairs, the hotline is where to start
            dispatcher.utter_message(response="utter_next_step_hotline", country=country.name(lang),
                                     number=country.hotline.number, hours=hours_text(country, lang))
        else:
            # "wer repariert handys in oesterreich": no hotline known, so a channel the source names
            dispatcher.utter_message(response="utter_next_step_website")


def region_named(tracker: Tracker) -> Optional[Dict[str, Any]]:
    regions = knowledge().regions
    for value in entity_values(tracker, "region"):
        folded = fold(value)
        for region in regions.values():
            names = [fold(n) for lang in ("de", "en") for n in region["names"][lang]]
            if folded in names or any(n in folded for n in names if len(n) > 3):
                return region
        if folded.startswith(("sud", "south", "so")) or "asi" in folded:
            return regions.get("sea")
        if folded.startswith(("eu", "west")):
            return regions.get("europe")
    return None


class ActionRegionalService(CountryTopicAction):
    topic = "regional"

    def name(self) -> Text:
        return "action_regional_service"

    async def answer(self, dispatcher, tracker, domain):
        region = region_named(tracker)
        matches, _ = countries_in_message(tracker)
        if region is not None and not matches:
            lang = language(tracker)
            dispatcher.utter_message(response="utter_regional_model", region=pick({k: v[0] for k, v in region["names"].items()}, lang), model=pick(region["model"], lang))
            if asks(tracker.latest_message.get("text") or "", "countries"):  # "welche laender zaehlt ihr zu suedostasien?"
                utter_region_countries(dispatcher, region["id"], lang)
            return remember(None, self.topic) + [SlotSet("last_entry", f"region:{region['id']}")]
        events = await super().answer(dispatcher, tracker, domain)
        country = covered(countries().resolve(next((e["value"] for e in events if e.get("name") == "country"), None)))
        return events + [SlotSet("last_entry", f"region:{country.service_region}" if country else None)]

    def ask_country(self, dispatcher, tracker, lang) -> None:
        dispatcher.utter_message(response="utter_regional_overview", **overviews.regional_overview(knowledge(), lang))

    def respond(self, dispatcher, tracker, lang, match) -> None:
        kb = knowledge()
        country = covered(match)
        if country is None:
            dispatcher.utter_message(response="utter_region_not_covered", country=match.name(lang))
            return
        region = kb.regions[country.service_region]
        name = pick({k: v[0] for k, v in region["names"].items()}, lang)
        if name != country.name(lang):
            name = f"{name} ({country.name(lang)})"
        dispatcher.utter_message(response="utter_regional_model", region=name, model=pick(region["model"], lang))
        if country.hotline is not None and country.hotline.note:
            # the country's own service set-up ("Zentren in Einkaufszentren") and how to reach it
            utter_hotline(dispatcher, match, lang, with_status=False)
        utter_partner(dispatcher, match, lang)
