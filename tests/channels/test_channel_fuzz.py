"""Property-based fuzzing of both webhooks (hypothesis).

At least 1,000 malformed bodies go to each webhook over HTTP: random bytes,
random JSON values, bodies with the right keys but wrong types, huge strings,
deep nesting, lone surrogates, and for WhatsApp envelopes of Meta's shape with
garbage inside, signed (so that they reach the parser) and unsigned. The server
must never answer 5xx, must not log an unexpected exception, and must still
answer a good message afterwards.
"""

import http.client
import json
import logging
import uuid
from typing import Any, Dict, List, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channel_testkit import (
    PHONE_NUMBER_ID,
    EchoBot,
    FakeGraphApi,
    LiveServer,
    ThreadedHarness,
    sign,
    text_payload,
    whatsapp_settings,
)
from channels.limits import Limits
from channels.rest import HardenedRestInput
from channels.whatsapp import WhatsAppInput

EXAMPLES = 1000

# -- strategies -------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["\ud800", "a\udfffb", "", " ", "/restart", "wamid.X", "16505551234"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
huge_strings = st.builds(
    lambda chunk, n: chunk * n,
    st.sampled_from(["x", "ä", "😀", "\n", " ", "\\", '"']),
    st.integers(min_value=1_000, max_value=30_000),
)
wrong = json_values | huge_strings
deep = st.builds(
    lambda opener, closer, n: (opener * n + closer * n).encode(),
    st.sampled_from(["["]),
    st.sampled_from(["]"]),
    st.integers(min_value=500, max_value=8_000),
) | st.integers(min_value=500, max_value=3_000).map(
    lambda n: ('{"a":' * n + "1" + "}" * n).encode()
)


def dumps(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


rest_objects = st.fixed_dictionaries(
    {},
    optional={
        "sender": wrong | st.text(max_size=200),
        "message": wrong | st.text(max_size=100),
        "metadata": wrong,
        "input_channel": wrong,
    },
)
rest_bodies = st.one_of(
    st.binary(max_size=600),
    json_values.map(dumps),
    rest_objects.map(dumps),
    st.fixed_dictionaries({"sender": st.text(max_size=150), "message": huge_strings}).map(dumps),
    deep,
)

message_types = st.sampled_from(
    ["text", "interactive", "button", "image", "audio", "video", "document",
     "sticker", "location", "reaction", "unsupported", "contacts", "system", "order"]
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "from": wrong | st.sampled_from(["16505551234", "49151000000"]),
        "id": wrong | st.uuids().map(lambda u: f"wamid.{u}"),
        "timestamp": wrong,
        "type": message_types | wrong,
        "text": st.fixed_dictionaries({}, optional={"body": wrong}) | wrong,
        "interactive": st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["button_reply", "list_reply", "nfm_reply"]) | wrong,
                "button_reply": st.fixed_dictionaries({}, optional={"id": wrong, "title": wrong}) | wrong,
                "list_reply": st.fixed_dictionaries({}, optional={"id": wrong, "title": wrong}) | wrong,
            },
        )
        | wrong,
        "button": st.fixed_dictionaries({}, optional={"payload": wrong, "text": wrong}) | wrong,
        "image": wrong,
    },
)
values = st.fixed_dictionaries(
    {},
    optional={
        "messaging_product": wrong,
        "metadata": st.fixed_dictionaries({}, optional={"phone_number_id": wrong}) | wrong,
        "contacts": st.lists(
            st.fixed_dictionaries({}, optional={"wa_id": wrong, "profile": st.fixed_dictionaries({}, optional={"name": wrong}) | wrong}) | wrong,
            max_size=2,
        )
        | wrong,
        "messages": st.lists(messages | wrong, max_size=3) | wrong,
        "statuses": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "status": st.sampled_from(["sent", "delivered", "read", "failed"]) | wrong,
                    "recipient_id": wrong,
                    "errors": st.lists(st.fixed_dictionaries({}, optional={"code": wrong, "title": wrong}) | wrong, max_size=2) | wrong,
                },
            )
            | wrong,
            max_size=2,
        )
        | wrong,
        "errors": wrong,
    },
)
envelopes = st.builds(
    lambda obj, entries: {"object": obj, "entry": entries},
    st.just("whatsapp_business_account") | wrong,
    st.lists(
        st.builds(
            lambda changes: {"id": "102290129340398", "changes": changes},
            st.lists(
                st.builds(lambda field, value: {"field": field, "value": value}, st.just("messages") | wrong, values | wrong)
                | wrong,
                max_size=2,
            )
            | wrong,
        )
        | wrong,
        max_size=2,
    )
    | wrong,
)
# Meta's structure intact, garbage only in the leaves: these reach the dialogue.
near_valid_messages = st.builds(
    lambda sender, message_id, kind, content: {
        "from": sender,
        "id": message_id,
        "timestamp": "1749416383",
        "type": kind,
        **content,
    },
    st.sampled_from(["16505551234", "4915112345678", "447700900123"]) | st.text(min_size=1, max_size=20),
    st.uuids().map(lambda u: f"wamid.{u}"),
    message_types,
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.fixed_dictionaries({"body": wrong}),
            "interactive": st.fixed_dictionaries(
                {
                    "type": st.sampled_from(["button_reply", "list_reply"]),
                    "button_reply": st.fixed_dictionaries({"id": wrong, "title": wrong}),
                    "list_reply": st.fixed_dictionaries({"id": wrong, "title": wrong}),
                }
            ),
            "button": st.fixed_dictionaries({"payload": wrong, "text": wrong}),
            "image": json_values,
            "context": json_values,
        },
    ),
)
near_valid_envelopes = st.builds(
    lambda msgs, name, statuses: {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": [{"profile": {"name": name}, "wa_id": m.get("from")} for m in msgs],
                            "messages": msgs,
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    },
    st.lists(near_valid_messages, min_size=1, max_size=3),
    wrong,
    st.lists(json_values, max_size=2),
)
whatsapp_bodies = st.one_of(
    st.binary(max_size=600),
    json_values.map(dumps),
    envelopes.map(dumps),
    near_valid_envelopes.map(dumps),
    near_valid_envelopes.map(dumps),  # weighted: the parser is what needs fuzzing
    deep,
)

# -- server -------------------------------------------------------------------


class ExceptionRecorder(logging.Handler):
    """Collects log records that carry an exception (unexpected failures)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: List[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


class FuzzTarget:
    def __init__(self) -> None:
        self.harness = ThreadedHarness()
        self.graph = self.harness.run(FakeGraphApi().start())
        settings_ = whatsapp_settings(api_base=self.graph.api_base)
        self.whatsapp = WhatsAppInput(settings_, backoff_base=0.01, backoff_max=0.02, limits=Limits.unlimited())
        self.bot = EchoBot()
        self.server = LiveServer([HardenedRestInput(Limits.unlimited()), self.whatsapp], self.bot)
        self.harness.run(self.server.start())
        self.counts: Dict[str, int] = {"rest": 0, "whatsapp": 0, "whatsapp_signed": 0}
        self.statuses: Dict[str, set] = {"rest": set(), "whatsapp": set()}

    def post(self, channel: str, body: bytes, signature: Optional[str] = None) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        try:
            connection.request("POST", f"/webhooks/{channel}/webhook", body=body, headers=headers)
            resp = connection.getresponse()
            resp.read()
            return resp.status
        finally:
            connection.close()

    def close(self) -> None:
        self.harness.run(self.whatsapp.wait_idle(30), timeout=40)
        self.harness.run(self.server.stop())
        self.harness.run(self.graph.stop())
        self.harness.close()


@pytest.fixture(scope="module")
def target():
    recorder = ExceptionRecorder()
    watched = [logging.getLogger("channels"), logging.getLogger("sanic"), logging.getLogger("rasa")]
    for logger in watched:
        logger.addHandler(recorder)
    fuzz_target = FuzzTarget()
    fuzz_target.recorder = recorder
    yield fuzz_target
    fuzz_target.close()
    for logger in watched:
        logger.removeHandler(recorder)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@FUZZ_SETTINGS
@given(raw=rest_bodies)
def test_rest_webhook_never_answers_5xx(target, raw):
    status = target.post("rest", raw)
    target.counts["rest"] += 1
    target.statuses["rest"].add(status)
    assert status < 500, raw[:200]
    assert status in (200, 400, 413)


@FUZZ_SETTINGS
@given(raw=whatsapp_bodies, signed=st.booleans() | st.just(True))
def test_whatsapp_webhook_never_answers_5xx(target, raw, signed):
    signature = sign(raw) if signed else sign(raw, "not-the-app-secret")
    status = target.post("whatsapp", raw, signature)
    target.counts["whatsapp"] += 1
    target.counts["whatsapp_signed"] += int(signed)
    target.statuses["whatsapp"].add(status)
    assert status < 500, raw[:200]
    if len(raw) > target.whatsapp.limits.whatsapp_max_body_bytes:
        assert status == 413  # refused on its size, before the signature is computed
    elif signed:
        assert status in (200, 400)
    else:
        assert status == 403


def test_at_least_1000_bodies_hit_each_webhook_and_nothing_crashed(target):
    target.harness.run(target.whatsapp.wait_idle(60), timeout=70)
    assert target.counts["rest"] >= EXAMPLES
    assert target.counts["whatsapp"] >= EXAMPLES
    assert target.counts["whatsapp_signed"] >= EXAMPLES // 2
    assert target.statuses["rest"] >= {400}
    assert target.statuses["whatsapp"] >= {200, 403}
    # signed garbage in Meta's shape did reach the dialogue (the parser was fuzzed)
    assert sum(1 for m in target.bot.received if m.input_channel == "whatsapp") >= 50
    unexpected = [f"{r.name}: {r.getMessage()}" for r in target.recorder.records]
    assert unexpected == []


def test_good_messages_are_still_answered_after_the_fuzzing(target):
    # REST
    connection = http.client.HTTPConnection("127.0.0.1", target.server.port, timeout=30)
    connection.request(
        "POST", "/webhooks/rest/webhook", body=json.dumps({"sender": "after-fuzz", "message": "hallo"})
    )
    resp = connection.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read()) == [{"recipient_id": "after-fuzz", "text": "Hallo! Wie kann ich dir helfen?"}]
    connection.close()

    # WhatsApp
    wa_id = "4915199999999"
    body = json.dumps(text_payload("hallo", f"wamid.{uuid.uuid4()}", wa_id=wa_id)).encode()
    assert target.post("whatsapp", body, sign(body)) == 200
    target.harness.run(
        target.graph.wait_for(lambda: "Hallo! Wie kann ich dir helfen?" in target.graph.texts(wa_id), timeout=20),
        timeout=30,
    )
