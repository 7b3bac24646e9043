"""The website live chat in a real browser: the support page at /webhooks/chat/
on the real bot, driven in headless Chromium (Debian's /usr/bin/chromium through
/usr/bin/chromedriver; nothing is downloaded), plus the socket.io channel's
rules checked with a plain socket.io client.

Waits are for the bot's answers to appear (generous, never a pass/fail on
time). The screenshot of a short conversation goes to reports/webchat.png.
"""
from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import List
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bot_processes import ROOT, free_port, make_bot  # noqa: E402

pytestmark = pytest.mark.integration
FROZEN_NOW = "2026-11-25T10:00:00+00:00"  # a Wednesday: European hotlines open
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDGET = ROOT / "build" / "webchat" / "webchat.js"
SCREENSHOT = ROOT / "reports" / "webchat.png"
ANSWER_WAIT = 90  # seconds an answer may take on a loaded 2-core machine
RATE_BURST = 16


def require_browser() -> None:
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing: run `make browser` as root, or "
                    "`sudo apt-get install chromium chromium-driver fonts-noto-color-emoji`")
    if not WIDGET.exists():
        pytest.skip(f"no {WIDGET.relative_to(ROOT)}: run `make webchat` (make test does)")
    pytest.importorskip("selenium")


EMBED_PORT = free_port()  # another origin on loopback: a site that embeds the widget


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    require_browser()
    bot = make_bot(tmp_path_factory.mktemp("webchat"), {
        "SUPPORT_BOT_NOW": FROZEN_NOW,
        "WEBCHAT_RATE_BURST": str(RATE_BURST),
        "WEBCHAT_RATE_PER_MINUTE": "2",
        "WEBCHAT_ALLOWED_ORIGINS": f"https://shop.example.com,http://127.0.0.1:{EMBED_PORT}",
    })
    bot.start_actions()
    # as scripts/launch.py starts it (no CORS_ORIGINS by default: the page is
    # served by the bot, the widget's socket.io answers its own allowed origins)
    bot.start_rasa()
    yield bot
    bot.stop_all()


# --- the browser -------------------------------------------------------------------

class Page:
    """One Chromium with its own fresh profile, on the support page."""

    def __init__(self, bot, language: str, width: int = 1100, height: int = 860,
                 url: str = "", root: str = "#webchat") -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        self.bot = bot
        self.page_url = url or f"{bot.url}/webhooks/chat/"
        self.root = root
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=bot.log_dir)
        options = Options()
        options.binary_location = str(CHROMIUM)
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={self.profile}", f"--lang={language}",
                     f"--window-size={width},{height}",
                     # only loopback: any other host fails to resolve
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
            options.add_argument(flag)
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        service = Service(executable_path=str(CHROMEDRIVER), log_output=str(Path(self.profile) / "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)
        self.requested: List[str] = []
        self.open()

    def open(self) -> None:
        self.driver.get(self.page_url)
        if self.root == "#webchat":  # the support page says when it has started
            self.wait_until(lambda d: d.execute_script("return document.body.dataset.ready || document.body.dataset.error"),
                            "the page did not start")
            error = self.driver.execute_script("return document.body.dataset.error")
            assert not error, f"page error: {error}"
        self.wait_until(lambda d: self.bot_texts(), "no greeting from the bot")

    def wait_until(self, condition, message: str, seconds: float = ANSWER_WAIT):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, seconds, poll_frequency=0.25).until(condition, message)

    def texts(self, selector: str) -> List[str]:
        """innerText of every match, read in one go (React re-renders the list
        while the bot answers): the text as laid out, line breaks of <br> kept."""
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll(arguments[0]))"
            ".map(e => e.innerText.trim()).filter(t => t.length > 0)", selector)

    def bot_texts(self) -> List[str]:
        return self.texts(f"{self.root} .rw-response")

    def user_texts(self) -> List[str]:
        return self.texts(f"{self.root} .rw-client")

    def settle(self) -> None:
        """Waits until every answer the bot stored for this conversation is on
        the page (a reply of several bubbles arrives one bubble at a time)."""
        if "TRACKER_DB" not in getattr(self.bot, "env", {}):
            return  # a stand-in server without a tracker store

        def shown_all(_):
            return len(self.bot_texts()) >= stored_bubbles(self.bot, self.session_id())
        self.wait_until(shown_all, f"the page shows {len(self.bot_texts())} bot messages, the tracker holds more")

    def wait_for_answer(self, before: int, needle: str) -> str:
        """The first new bot message (after `before` of them) that contains `needle`."""
        def found(_):
            return next((text for text in self.bot_texts()[before:] if needle in text), None)
        from selenium.common.exceptions import TimeoutException

        try:
            return self.wait_until(found, "")
        except TimeoutException:
            raise AssertionError(f"no answer containing {needle!r}; the bot said: {self.bot_texts()[before:]}") from None

    def say(self, text: str, expect: str) -> str:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.settle()
        before = len(self.bot_texts())
        box = self.driver.find_element(By.CSS_SELECTOR, f"{self.root} .rw-new-message")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)
        answer = self.wait_for_answer(before, expect)
        self.settle()
        return answer

    def buttons(self) -> List[str]:
        return self.texts(f"{self.root} .rw-reply")

    def click(self, title: str, expect: str) -> str:
        """A real mouse click on the bot's button `title`."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.settle()
        before = len(self.bot_texts())

        def click_it(driver) -> bool:
            for element in driver.find_elements(By.CSS_SELECTOR, f"{self.root} .rw-reply"):
                if (element.get_attribute("innerText") or "").strip() == title:
                    element.click()
                    return True
            return False

        WebDriverWait(self.driver, ANSWER_WAIT, poll_frequency=0.25, ignored_exceptions=(StaleElementReferenceException,)).until(
            click_it, f"no button {title!r}; buttons: {self.buttons()}")
        answer = self.wait_for_answer(before, expect)
        self.settle()
        return answer

    def session_id(self) -> str:
        stored = self.driver.execute_script("return window.sessionStorage.getItem('chat_session')")
        return json.loads(stored)["session_id"]

    def requested_urls(self) -> List[str]:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                params = message["params"]
                self.requested.append(params.get("request", {}).get("url") or params.get("url", ""))
        return self.requested

    def close(self) -> None:
        self.driver.quit()


@pytest.fixture(scope="module")
def german_page(bot):
    page = Page(bot, "de-DE")
    yield page
    page.close()


def stored_bubbles(bot, sender_id: str) -> int:
    """How many bubbles the bot's stored answers make (the channel sends each
    paragraph of a text as a message of its own)."""
    with sqlite3.connect(bot.env["TRACKER_DB"]) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'bot'", (sender_id,)).fetchall()
    texts = [(json.loads(row[0]).get("text") or "").strip() for row in rows]
    return sum(len(text.split("\n\n")) for text in texts if text)


def user_events(bot, sender_id: str) -> List[str]:
    with sqlite3.connect(bot.env["TRACKER_DB"]) as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender_id,)).fetchall()
    return [json.loads(row[0]).get("text") for row in rows]


# --- the page in a German browser ----------------------------------------------------

def test_german_page_greets_in_german_with_the_menu(german_page):
    driver = german_page.driver
    assert driver.execute_script("return navigator.language") == "de-DE"
    assert driver.execute_script("return document.documentElement.lang") == "de"
    assert "Wie können wir helfen?" in driver.find_element("css selector", "h1").text
    assert german_page.bot_texts()[0].startswith("Hallo!")
    assert german_page.buttons() == ["📞 Hotline", "🕒 Servicezeiten", "🛡️ Garantie prüfen", "💬 Kontaktwege"]


def test_a_button_works_like_a_typed_answer(german_page):
    german_page.click("📞 Hotline", "Für welches Land")
    answer = german_page.click("Italien", "800 690 921")
    assert "Servicezeiten" in answer
    assert german_page.user_texts()[-1] == "Italien"


def test_typed_question_gets_the_number_with_line_breaks(german_page):
    answer = german_page.say("hotline deutschland", "0800 223 11 44")
    assert "Servicezeiten" in answer
    assert answer.index("0800 223 11 44") < answer.index("\n") < answer.index("Servicezeiten"), answer
    assert german_page.user_texts()[-1] == "hotline deutschland"


def test_reload_shows_the_conversation_and_continues_it(german_page, bot):
    session = german_page.session_id()
    shown = german_page.bot_texts()
    german_page.driver.refresh()
    german_page.open()
    assert german_page.session_id() == session
    assert german_page.bot_texts() == shown
    assert any("0800 223 11 44" in text for text in german_page.bot_texts())
    # the server side is the same conversation too: a follow-up keeps the topic
    answer = german_page.say("und in Spanien?", "900 128 128")
    assert "Servicezeiten" in answer
    assert user_events(bot, session)[-1] == "und in Spanien?"
    assert "hotline deutschland" in user_events(bot, session)


def test_links_are_clickable_https_links(german_page):

    answer = german_page.say("welche self-service tools gibt es?", "HyperOSUpdates.com")
    assert "\n•" in answer, "the list lost its line breaks"
    links = german_page.driver.execute_script(
        "return Array.from(document.querySelectorAll('#webchat .rw-response a'))"
        ".filter(a => a.innerText === 'HyperOSUpdates.com').map(a => [a.href, a.target, a.rel])")
    assert links, "HyperOSUpdates.com is not a link"
    href, target, rel = links[-1]
    assert href == "https://hyperosupdates.com/" and target == "_blank" and "noopener" in rel


def test_a_script_message_is_shown_as_text(german_page):
    from selenium.webdriver.common.by import By

    german_page.driver.execute_script("window.alert = function () { window.__alerted = true; };")
    hostile = "<script>window.__xss = 1; alert(1)</script>"
    german_page.say(hostile, "")  # any answer: the round trip is complete
    assert german_page.user_texts()[-1] == hostile
    assert not german_page.driver.find_elements(By.CSS_SELECTOR, "#webchat script")
    assert german_page.driver.execute_script("return window.__xss === undefined && window.__alerted === undefined")


def test_user_text_echoed_by_the_bot_stays_text(german_page):
    """The warranty form echoes what it cannot read as a date: „{value}“."""
    from selenium.webdriver.common.by import By

    driver = german_page.driver
    german_page.say("Ich habe mein Xiaomi 13 Pro in Italien gekauft, habe ich noch Garantie?", "Wann hast du es gekauft?")
    echoed = german_page.say('am 31.02.2025 <img src=x onerror="window.__xss=2">', "komme ich nicht auf ein Datum")
    assert 'onerror="window.__xss=2"' in echoed
    echoed = german_page.say("gekauft am 32.13.2025 [hier](javascript:window.__xss=3)", "komme ich nicht auf ein Datum")
    assert "window.__xss=3" in echoed
    assert not driver.find_elements(By.CSS_SELECTOR, "#webchat .rw-response img")
    hrefs = driver.execute_script("return Array.from(document.querySelectorAll('#webchat a')).map(a => a.href)")
    assert all(href.startswith("https://") for href in hrefs), hrefs
    assert driver.execute_script("return window.__xss === undefined")
    german_page.say("stopp", "angehalten")  # leave the form


def test_page_loads_nothing_from_other_hosts_and_breaks_no_rule(german_page, bot):
    hosts = {urlparse(url).hostname for url in german_page.requested_urls() if urlparse(url).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}, hosts
    # the page's Content-Security-Policy blocks nothing the page needs (Chromium logs each refusal as an error)
    errors = [entry["message"] for entry in german_page.driver.get_log("browser") if entry["level"] == "SEVERE"]
    # A refused WebSocket upgrade is no rule broken: socket.io stays on long-polling
    # (seen once in CI on a loaded machine); the chat must still answer over it.
    upgrade_refused = [message for message in errors if "/socket.io/" in message and "WebSocket" in message]
    assert not [message for message in errors if message not in upgrade_refused], errors
    if upgrade_refused:
        german_page.say("Hotline Deutschland?", "0800 223 11 44")


# --- other browsers -------------------------------------------------------------------------

def test_english_question_on_a_german_page_gets_english(bot, german_page):
    page = Page(bot, "de-DE")
    try:
        assert page.bot_texts()[0].startswith("Hallo!")
        answer = page.say("What's the support number in the UK?", "0800 021 1888")
        assert "Service hours" in answer
        assert page.session_id() != german_page.session_id(), "a new browser must get a new conversation"
    finally:
        page.close()


def test_english_browser_gets_the_english_page_and_greeting(bot):
    page = Page(bot, "en-US")
    try:
        assert page.driver.find_element("css selector", "h1").text == "How can we help?"
        assert page.bot_texts()[0].startswith("Hi!"), "the browser's language is the first hint"
        assert page.buttons()[1] == "🕒 Service hours"
    finally:
        page.close()


def test_mobile_width_and_screenshot(bot):
    page = Page(bot, "de-DE", width=1100, height=900)
    try:
        page.say("hotline deutschland", "0800 223 11 44")
        page.say("hab ich noch garantie?", "Um welches Gerät geht es?")
        assert page.buttons()[-2:] == ["📱 Smartphone", "🔌 Zubehör"]
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.driver.save_screenshot(str(SCREENSHOT))
        page.driver.set_window_size(390, 844)
        page.wait_until(lambda d: d.execute_script("return window.innerWidth") <= 400, "window did not shrink")
        overflow = page.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px at phone width"
        assert page.click("📱 Smartphone", "Wann hast du es gekauft?")
        page.driver.execute_script("document.querySelector('.chat-card').scrollIntoView()")
        page.driver.save_screenshot(str(SCREENSHOT.with_name("webchat-mobile.png")))
    finally:
        page.close()


# --- the README's embedding snippet on another site ------------------------------------------

def readme_embed_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Embedding the widget in another site", 1)[1]
    return section.split("```html", 1)[1].split("```", 1)[0]


def test_the_readme_snippet_embeds_the_chat_in_another_site(bot, tmp_path):
    import http.server
    import functools

    snippet = readme_embed_snippet().replace("https://bot.example.com", bot.url)
    (tmp_path / "index.html").write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>Shop</title></head><body><h1>Shop</h1>{snippet}</body></html>",
        encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    site = http.server.ThreadingHTTPServer(("127.0.0.1", EMBED_PORT), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    page = None
    try:
        page = Page(bot, "de-DE", url=f"http://127.0.0.1:{EMBED_PORT}/", root="#support-chat")
        assert page.bot_texts()[0].startswith("Hallo!")
        answer = page.say("hotline deutschland", "0800 223 11 44")
        assert "Servicezeiten" in answer
    finally:
        if page is not None:
            page.close()
        site.shutdown()
        site.server_close()


# --- hostile bot text, rendered by the real widget ---------------------------------------

HOSTILE_BOT_TEXTS = [
    'Mit „<img src=x onerror="window.__xss=1">“ komme ich nicht auf ein Datum.',
    "[klick hier](javascript:window.__xss=2) und ![bild](http://127.0.0.1:9/track.png)",
    "<script>window.__xss=3</script> <a href=\"javascript:window.__xss=4\">a</a> <javascript:window.__xss=5>",
    "*fett* _kursiv_ `code` ~~weg~~ | a | b | 1. liste > zitat \\ ende",
    "# Titel",
    "Mehr auf HyperOSUpdates.com und https://www.mi.com/de/support. Ende.",
]


class StandInBot:
    """The page and a socket.io server in this process whose only answer is
    HOSTILE_BOT_TEXTS, sent through the channel's real output class: the
    widget's rendering of hostile bot text, without depending on what the NLU
    lets through to an echo."""

    def __init__(self, tmp_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_dir = tmp_dir
        self.env: dict = {}
        self.loop = asyncio.new_event_loop()
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.started.wait(30), "stand-in server did not start"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.started.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        import socketio
        from aiohttp import web

        from channels.webchat.channel import PAGE_FILES, WebChatOutput

        sio = socketio.AsyncServer(async_mode="aiohttp")
        app = web.Application()
        sio.attach(app, socketio_path="socket.io")

        async def page_file(request):
            name = request.match_info.get("name") or "index.html"
            directory, content_type = PAGE_FILES[name]
            return web.Response(body=(directory / name).read_bytes(), headers={"Content-Type": content_type})

        async def config(_):
            return web.json_response({"socket_path": "/socket.io/", "session_persistence": True})

        app.router.add_get("/webhooks/chat/config.json", config)
        app.router.add_get("/webhooks/chat/", page_file)
        app.router.add_get("/webhooks/chat/{name}", page_file)

        @sio.on("session_request")
        async def session_request(sid, data):
            session_id = (data or {}).get("session_id") or "0" * 32
            await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid, data):
            output = WebChatOutput(sio, "bot_uttered")
            if data.get("message") == "/greet":
                await output.send_text_message(data["session_id"], "Hallo!")
                return
            for text in HOSTILE_BOT_TEXTS:
                await output.send_text_message(data["session_id"], text)

        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


def test_hostile_bot_text_is_shown_as_the_text_it_is(tmp_path):
    require_browser()
    stand_in = StandInBot(tmp_path)
    page = None
    try:
        page = Page(SimpleNamespace(url=stand_in.url, log_dir=tmp_path, env={}), "de-DE")
        page.driver.execute_script("window.alert = function () { window.__alerted = true; };")
        page.say("zeig mal", "Ende.")
        shown = page.bot_texts()[-len(HOSTILE_BOT_TEXTS):]
        assert shown == HOSTILE_BOT_TEXTS
        assert page.driver.execute_script(
            "return document.querySelectorAll('#webchat .rw-response img, #webchat .rw-response script,"
            " #webchat .rw-response h1, #webchat .rw-response em, #webchat .rw-response code').length") == 0
        links = page.driver.execute_script(
            "return Array.from(document.querySelectorAll('#webchat .rw-response a')).map(a => [a.innerText, a.href])")
        # the image's address is shown as a plain link, nothing is loaded from it
        assert links == [["http://127.0.0.1:9/track.png", "http://127.0.0.1:9/track.png"],
                         ["HyperOSUpdates.com", "https://hyperosupdates.com/"],
                         ["https://www.mi.com/de/support", "https://www.mi.com/de/support"]]
        assert page.driver.execute_script("return window.__xss === undefined && window.__alerted === undefined")
    finally:
        if page is not None:
            page.close()
        stand_in.stop()


# --- the socket.io channel's rules, with a plain client ----------------------------------------

class SocketUser:
    def __init__(self, bot, origin: str) -> None:
        import socketio

        self.client = socketio.Client(reconnection=False)
        self.answers: List[dict] = []
        self.confirmed: List[str] = []
        self.event = threading.Event()
        self.client.on("bot_uttered", self._answer)
        self.client.on("session_confirm", self._confirm)
        # long-polling: the websocket client would add an Origin header of its own
        self.client.connect(bot.url, headers={"Origin": origin}, transports=["polling"], wait_timeout=30)

    def _answer(self, data):
        self.answers.append(data)
        self.event.set()

    def _confirm(self, data):
        self.confirmed.append(data)
        self.event.set()

    def request_session(self, session_id) -> str:
        self.event.clear()
        self.client.emit("session_request", {"session_id": session_id})
        assert self.event.wait(30), "no session_confirm"
        return self.confirmed[-1]

    def send(self, session_id: str, text: str, wait: bool = True) -> List[dict]:
        before = len(self.answers)
        self.event.clear()
        self.client.emit("user_uttered", {"message": text, "session_id": session_id, "customData": {"language": "de-DE"}})
        if wait:
            assert self.event.wait(ANSWER_WAIT), f"no answer to {text[:40]!r}"
        return self.answers[before:]

    def close(self) -> None:
        self.client.disconnect()


def test_socket_from_another_site_is_refused_listed_site_allowed(bot):
    import socketio

    with pytest.raises(socketio.exceptions.ConnectionError):
        SocketUser(bot, "https://evil.example")
    user = SocketUser(bot, "https://shop.example.com")
    user.close()


def test_session_ids_of_the_wrong_form_are_replaced(bot):
    user = SocketUser(bot, bot.url)
    try:
        for hostile in ("it-de", "wa-0123abc", "", "../../etc", "A" * 32):
            confirmed = user.request_session(hostile)
            assert confirmed != hostile and len(confirmed) == 32 and int(confirmed, 16) >= 0
        good = "0123456789abcdef0123456789abcdef"
        assert user.request_session(good) == good
    finally:
        user.close()


def test_too_long_messages_and_floods_get_a_notice_not_the_dialogue(bot):
    user = SocketUser(bot, bot.url)
    try:
        session = user.request_session(None)
        notice = user.send(session, "Garantie " * 500)  # 4,500 characters
        assert "zu lang" in notice[0]["text"] and "4\\.096" in notice[0]["text"]
        # the burst is spent on cheap (too long) messages, then one more is refused
        for _ in range(RATE_BURST - 1):
            user.send(session, "x" * 5000)
        slow = user.send(session, "hotline deutschland")
        assert "langsam" in slow[0]["text"].lower() or "schnell" in slow[0]["text"].lower(), slow
        assert user_events(bot, session) == [], "a refused message reached the dialogue"
    finally:
        user.close()
