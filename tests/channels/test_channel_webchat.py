"""The web chat channel's parts that need no server: origins, session ids,
limits, metadata, the markdown sent to rasa-webchat and the language hint.
The channel over a real socket and in a real browser:
tests/integration/test_webchat_browser.py."""
from __future__ import annotations

import re

import pytest

from channels.webchat.channel import SESSION_ID, WebChatConfigError, WebChatInput, notice, parse_origins
from channels.webchat.markdown import to_widget_markdown
from channels.webchat.socket_limits import (
    MAX_MESSAGE_LENGTH, RateLimiter, RateSettings, clean_metadata, message_too_long,
)
from support.language import hinted_language, wanted_language


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- origins -------------------------------------------------------------------------

def test_origins_from_credentials_and_environment_are_merged():
    assert parse_origins(["https://www.example.com/"], "https://shop.example.com, http://localhost:8080") == [
        "https://www.example.com", "https://shop.example.com", "http://localhost:8080"]


@pytest.mark.parametrize("value", ["*", ["*"], "https://*.example.com", "https://example.com, *"])
def test_a_wildcard_origin_stops_the_start(value):
    with pytest.raises(WebChatConfigError, match="wildcard"):
        parse_origins(value)


@pytest.mark.parametrize("value", ["example.com", "ftp://example.com", "https://example.com/path", "javascript:alert(1)"])
def test_an_origin_must_be_scheme_and_host(value):
    with pytest.raises(WebChatConfigError):
        parse_origins(value)


def test_from_credentials_reads_the_environment(monkeypatch):
    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "https://www.example.com")
    channel = WebChatInput.from_credentials({"session_persistence": True, "allowed_origins": ["https://help.example.com"]})
    assert channel.allowed_origins == ["https://help.example.com", "https://www.example.com"]
    assert channel.session_persistence is True and channel.metadata_key == "customData"
    assert channel.name() == "socketio" and channel.url_prefix() == "chat"


def test_from_credentials_refuses_a_wildcard_in_the_environment(monkeypatch):
    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "*")
    with pytest.raises(WebChatConfigError):
        WebChatInput.from_credentials({})


def test_the_page_origin_and_listed_origins_may_connect_others_not():
    channel = WebChatInput(allowed_origins=["https://www.example.com"])
    environ = {"HTTP_HOST": "127.0.0.1:5005", "wsgi.url_scheme": "http"}
    assert channel.origin_allowed("http://127.0.0.1:5005", environ)
    assert channel.origin_allowed("https://www.example.com", environ)
    assert not channel.origin_allowed("https://evil.example", environ)
    assert not channel.origin_allowed("http://127.0.0.1:5006", environ)
    assert not channel.origin_allowed("null", environ)


# --- session ids -----------------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [
    ("0123456789abcdef0123456789abcdef", True),
    ("wa-0123456789abcdef0123456789abcd", False),  # the WhatsApp channel's namespace
    ("it-de", False), ("", False), ("0123456789ABCDEF0123456789ABCDEF", False),
    ("0123456789abcdef0123456789abcdef\n", False),
])
def test_session_ids_must_look_like_the_servers(value, ok):
    assert bool(SESSION_ID.match(value)) is ok


# --- limits ----------------------------------------------------------------------------

def test_rate_limit_allows_a_burst_then_refills():
    clock = FakeClock()
    limiter = RateLimiter(RateSettings(burst=3, per_minute=30), clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "another sender has its own bucket"
    assert limiter.seconds_until_next("a") == pytest.approx(2.0)
    clock.now += 2.0
    assert limiter.allow("a") and not limiter.allow("a")


def test_the_user_is_told_once_per_run_of_refused_messages():
    clock = FakeClock()
    limiter = RateLimiter(RateSettings(burst=1, per_minute=60), clock=clock)
    assert limiter.allow("a") and not limiter.allow("a")
    assert limiter.first_refusal("a") and not limiter.first_refusal("a")
    clock.now += 1.0
    assert limiter.allow("a") and not limiter.allow("a")
    assert limiter.first_refusal("a"), "a new run after an allowed message is told again"


def test_rate_limit_memory_is_bounded():
    limiter = RateLimiter(RateSettings(burst=1, per_minute=1), clock=FakeClock(), max_keys=100)
    for index in range(1000):
        limiter.allow(f"sender-{index}")
    assert len(limiter._buckets) == 100


def test_rate_settings_from_environment():
    assert RateSettings.from_environment({}) == RateSettings()
    assert RateSettings.from_environment({"WEBCHAT_RATE_BURST": "3", "WEBCHAT_RATE_PER_MINUTE": "6"}) == RateSettings(3, 6.0)
    with pytest.raises(ValueError):
        RateSettings.from_environment({"WEBCHAT_RATE_BURST": "0"})


def test_message_length_limit_is_the_rest_webhooks():
    assert MAX_MESSAGE_LENGTH == 4096
    assert not message_too_long("x" * 4096) and message_too_long("x" * 4097)


@pytest.mark.parametrize("raw, expected", [
    ({"language": "de-DE"}, {"language": "de-DE"}),
    ('{"language": "en-GB"}', {"language": "en-GB"}),
    ({"language": "de-DE", "user": "admin", "session_id": "x"}, {"language": "de-DE"}),
    ({"language": "<script>"}, {}),
    ({"language": "x" * 100}, {}),
    ({"language": "de", "pad": "x" * 5000}, {}),
    ("not json", {}), (["de"], {}), (None, {}), (42, {}),
])
def test_only_a_short_language_tag_passes_as_metadata(raw, expected):
    assert clean_metadata(raw) == expected


def test_notices_follow_the_message_then_the_page_language():
    assert "zu lang (höchstens 4.096 Zeichen)" in notice("too_long", "Ich habe eine sehr lange Frage zu meiner Garantie", {"language": "en-US"}, limit=4096)
    assert "at most 4,096 characters" in notice("too_long", "I have a very long question about my warranty", {"language": "de-DE"}, limit=4096)
    assert "langsamer" in notice("slow_down", "ok", {"language": "de-DE"}, seconds=3) or "warte" in notice("slow_down", "ok", {"language": "de-DE"}, seconds=3)
    assert "wait" in notice("slow_down", "ok", {"language": "en"}, seconds=3)


# --- markdown for rasa-webchat ---------------------------------------------------------

def test_plain_text_stays_plain_text():
    text = "*fett* _kursiv_ # Titel [x](y) ![bild](bild.png) `code` > zitat 1. liste - punkt"
    rendered = to_widget_markdown(text)
    # every markdown-active character is escaped
    assert not re.search(r"(?<!\\)[*_#`\[\]()!]", rendered.replace("\\\\", ""))


def test_no_link_with_another_scheme_can_be_made():
    for hostile in ["[klick](javascript:alert(1))", "<javascript:alert(1)>", "[a](data:text/html;base64,PHNjcmlwdD4=)",
                    "[a]: javascript:alert(1)\n[a]"]:
        rendered = to_widget_markdown(hostile)
        assert "](javascript" not in rendered and "](data:" not in rendered
        assert not re.search(r"(?<!\\)[\[\]()]", rendered), rendered


def test_web_addresses_become_https_links():
    rendered = to_widget_markdown("• HyperOSUpdates.com: Updates prüfen, siehe auch https://www.mi.com/de/support.")
    assert "[HyperOSUpdates\\.com](https://HyperOSUpdates.com)" in rendered
    assert "(https://www.mi.com/de/support)" in rendered and rendered.endswith("\\.")


@pytest.mark.parametrize("text", ["z. B. im März", "0800 223 11 44", "10.03.2025", "v21.0", "SBE Ltd.", "Xiaomi 13 Pro"])
def test_no_links_where_there_is_no_address(text):
    assert "](" not in to_widget_markdown(text)


def test_line_breaks_are_kept_as_hard_breaks():
    rendered = to_widget_markdown("Ich kann dir sagen:\n• die Hotline\n• die Garantie")
    assert rendered == "Ich kann dir sagen:  \n• die Hotline  \n• die Garantie"


# --- the page's language hint ------------------------------------------------------------

@pytest.mark.parametrize("tag, expected", [("de-DE", "de"), ("de", "de"), ("DE-at", "de"), ("en_GB", "en"), ("en-US", "en"),
                                           ("fr-FR", None), ("", None), (None, None), (42, None)])
def test_hinted_language(tag, expected):
    assert hinted_language(tag) == expected


DE_DECISIVE = {"code": "de", "decisive": True, "score": 5.0}
EN_DECISIVE = {"code": "en", "decisive": True, "score": -5.0}
DE_GUESS = {"code": "de", "decisive": False, "score": 0.3}


@pytest.mark.parametrize("parse_data, current, hint, expected", [
    pytest.param({"intent": {"name": "greet"}}, None, "en", "en", id="button-payload-first-message-takes-the-hint"),
    pytest.param({"intent": {"name": "greet"}, "language": DE_GUESS}, None, "en", "en", id="hint-beats-a-weak-guess"),
    pytest.param({"intent": {"name": "ask_hotline"}, "language": EN_DECISIVE}, None, "de", "en", id="english-question-on-german-page"),
    pytest.param({"intent": {"name": "ask_hotline"}, "language": EN_DECISIVE}, "de", "de", "en", id="english-later-on-german-page"),
    pytest.param({"intent": {"name": "affirm"}, "language": DE_GUESS}, "en", "de", None, id="hint-never-changes-a-set-language"),
    pytest.param({"intent": {"name": "switch_language"}, "entities": [{"entity": "language_choice", "value": "Deutsch"}],
                  "language": EN_DECISIVE}, "en", "en", "de", id="explicit-request-beats-hint"),
    pytest.param({"intent": {"name": "greet"}}, None, None, None, id="no-hint-no-detection"),
])
def test_the_hint_only_fills_an_empty_language(parse_data, current, hint, expected):
    assert wanted_language(parse_data, current, hint) == expected


# --- why the channel replaces Rasa's socket.io handlers -----------------------------------

def test_rasa_36_socketio_channel_does_not_await_enter_room():
    """Rasa 3.6's SocketIOInput calls the coroutine AsyncServer.enter_room
    without await, so its persistent sessions never join their room and the
    bot's replies reach no one; WebChatInput awaits it. When this fails, Rasa
    fixed it and the override can be revisited."""
    import inspect

    from rasa.core.channels import socketio as rasa_socketio
    from socketio import AsyncServer

    assert inspect.iscoroutinefunction(AsyncServer.enter_room)
    source = inspect.getsource(rasa_socketio.SocketIOInput.blueprint)
    assert "sio.enter_room(" in source and "await sio.enter_room(" not in source
    assert "cors_allowed_origins=[]" in source  # python-socketio's origin check switched off
