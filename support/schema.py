"""JSON schemas of the knowledge files (knowledge/*.yml)."""

SOURCE = {
    "type": "object",
    "required": ["line", "quote"],
    "additionalProperties": False,
    "properties": {
        "line": {"type": "integer", "minimum": 1},
        "quote": {"type": "string", "minLength": 3},
    },
}
BILINGUAL = {
    "type": "object",
    "required": ["de", "en"],
    "additionalProperties": False,
    "properties": {"de": {"type": "string", "minLength": 1}, "en": {"type": "string", "minLength": 1}},
}
NAME_LISTS = {
    "type": "object",
    "required": ["de", "en"],
    "additionalProperties": False,
    "properties": {
        "de": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "en": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
}
CLOCK = {"type": ["string", "null"], "pattern": r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"}
WEEKDAY = {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
ISO = {"type": "string", "pattern": "^[A-Z]{2}$"}

HOURS = {
    "type": "object",
    "required": ["days", "open", "close", "text"],
    "additionalProperties": False,
    "properties": {
        "days": {"type": ["array", "null"], "items": WEEKDAY, "minItems": 1, "uniqueItems": True},
        "open": CLOCK,
        "close": CLOCK,
        "text": {"type": "string"},
    },
}

COUNTRIES = {
    "type": "object",
    "required": ["countries"],
    "properties": {
        "countries": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "names", "time_zone", "service_region", "warranty_region", "hotline", "partners"],
                "additionalProperties": False,
                "properties": {
                    "code": ISO,
                    "names": NAME_LISTS,
                    "time_zone": {"type": "string"},
                    "time_zone_assumed": {"type": "boolean"},
                    "service_region": {"enum": ["europe", "india", "china", "sea"]},
                    "warranty_region": {"enum": ["eu", "india", "sea", None]},
                    "hotline": {
                        "type": ["object", "null"],
                        "required": ["number", "hours", "note", "source"],
                        "additionalProperties": False,
                        "properties": {
                            "number": {"type": "string", "pattern": r"^\+?[0-9][0-9 \-]{5,}$"},
                            "hours": HOURS,
                            "note": BILINGUAL,
                            "source": SOURCE,
                        },
                    },
                    "whatsapp": {
                        "type": "object",
                        "required": ["until", "source"],
                        "additionalProperties": False,
                        "properties": {"until": CLOCK, "source": SOURCE},
                    },
                    "partners": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

PARTNERS = {
    "type": "object",
    "required": ["partners", "partner_model_regions", "partner_model_note"],
    "properties": {
        "partner_model_note": {"type": "object", "required": ["text", "source"], "additionalProperties": False,
                               "properties": {"text": BILINGUAL, "source": SOURCE}},
        "partners": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name", "scope", "label", "kind", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "scope": BILINGUAL,
                    "label": BILINGUAL,  # the line of the partner overview ("Großbritannien: SBE Ltd")
                    "kind": {"enum": ["authorised_partner", "direct"]},
                    "source": SOURCE,
                },
            },
        },
        "partner_model_regions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "names", "countries", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string"},
                    "names": BILINGUAL,
                    "countries": {"type": "array", "items": ISO},
                    "source": SOURCE,
                },
            },
        },
    },
}

REGIONS = {
    "type": "object",
    "required": ["regions"],
    "properties": {
        "regions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "names", "countries", "model", "summary", "source"],
                "additionalProperties": False,
                "properties": {
                    "id": {"enum": ["europe", "india", "china", "sea"]},
                    "names": NAME_LISTS,
                    "countries": {"type": "array", "items": ISO},
                    "model": BILINGUAL,
                    "summary": BILINGUAL,  # its line in the overview of all regions
                    "source": SOURCE,
                },
            },
        }
    },
}

PERIOD = {
    "type": "object",
    "required": ["months", "qualifier", "source"],
    "properties": {
        "region": {"enum": ["eu", "india", "sea"]},
        "months": {"type": "integer", "minimum": 1, "maximum": 120},
        "qualifier": {"enum": ["mandatory", "usually"]},
        "source": SOURCE,
    },
    "additionalProperties": False,
}

WARRANTY = {
    "type": "object",
    "required": ["periods", "accessories", "eu_rule", "eu_members", "iws"],
    "properties": {
        "periods": {"type": "array", "items": dict(PERIOD, required=["region", "months", "qualifier", "source"])},
        "accessories": PERIOD,
        "eu_rule": {
            "type": "object",
            "required": ["text", "source"],
            "additionalProperties": False,
            "properties": {"text": BILINGUAL, "source": SOURCE},
        },
        "eu_members": {"type": "array", "items": ISO, "minItems": 1},
        "iws": {
            "type": "object",
            "required": ["models", "models_source", "what", "what_source", "covers", "excludes", "coverage_source"],
            "additionalProperties": False,
            "properties": {
                "models": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "models_source": SOURCE,
                "what": BILINGUAL,
                "what_source": SOURCE,
                "covers": {"type": "array", "items": BILINGUAL},
                "excludes": {"type": "array", "items": BILINGUAL},
                "coverage_source": SOURCE,
            },
        },
    },
}

_DESCRIBED = {
    "type": "object",
    "required": ["id", "names", "purpose", "source"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string"},
        "names": BILINGUAL,
        "purpose": BILINGUAL,
        "source": SOURCE,
        "areas": {"type": "array", "items": ISO},
        "areas_source": SOURCE,
    },
}
CHANNELS = {"type": "object", "required": ["channels"], "properties": {"channels": {"type": "array", "items": _DESCRIBED}}}
SELF_SERVICE = {"type": "object", "required": ["tools"], "properties": {"tools": {"type": "array", "items": _DESCRIBED}}}

PRODUCTS = {
    "type": "object",
    "required": ["accessory_words", "device_words", "model_prefixes"],
    "additionalProperties": False,
    "properties": {
        "accessory_words": NAME_LISTS,
        "device_words": NAME_LISTS,
        "model_prefixes": {"type": "array", "items": {"type": "string"}},
    },
}

FILES = {
    "countries.yml": COUNTRIES,
    "partners.yml": PARTNERS,
    "regions.yml": REGIONS,
    "warranty.yml": WARRANTY,
    "channels.yml": CHANNELS,
    "self_service.yml": SELF_SERVICE,
    "products.yml": PRODUCTS,
}
