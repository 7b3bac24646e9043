"""The output channel: the bot's answers (text, buttons, lists, images, custom
payloads) as Cloud API messages to one WhatsApp user."""

import logging
from typing import Any, Dict, List, Set, Text, Tuple

from rasa.core.channels.channel import OutputChannel

from channels.whatsapp.coerce import _as_dict, _as_str
from channels.whatsapp.graph_api import GraphApiClient
from channels.whatsapp.settings import CHANNEL_NAME
from support.phrases import phrase

logger = logging.getLogger(__package__)  # "channels.whatsapp" in every module

# Limits of the Cloud API send endpoint.
MAX_TEXT_LENGTH = 4096
MAX_INTERACTIVE_BODY_LENGTH = 1024
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE_LENGTH = 20
MAX_BUTTON_ID_LENGTH = 256
MAX_LIST_ROWS = 10
MAX_ROW_TITLE_LENGTH = 24
MAX_ROW_ID_LENGTH = 200
MAX_ROW_DESCRIPTION_LENGTH = 72
MAX_LIST_BUTTON_LENGTH = 20
#: Label of the button that opens a list message (the bot is bilingual and the
#: output channel does not know the language; a response can override it with
#: ``metadata: {list_button: "..."}``).
DEFAULT_LIST_BUTTON = f"{phrase('list_button', 'de')} / {phrase('list_button', 'en')}"


def split_text(text: Text, limit: int = MAX_TEXT_LENGTH) -> List[Text]:
    """Splits text into chunks of at most ``limit`` characters.

    Prefers paragraph breaks, then line breaks, then spaces, so that words stay
    whole when possible.
    """
    chunks: List[Text] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = -1
        for separator in ("\n\n", "\n", " "):
            position = rest.rfind(separator, 0, limit + 1)
            if position >= limit // 2:
                cut = position
                break
        if cut <= 0:
            cut = limit
        chunk = rest[:cut].rstrip()
        rest = rest[cut:].lstrip()
        if chunk:
            chunks.append(chunk)
    if rest:
        chunks.append(rest)
    return chunks


def _cut(text: Text, limit: int) -> Text:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _unique(title: Text, taken: Set[Text], limit: int) -> Text:
    candidate, number = title, 2
    while candidate in taken:
        suffix = f" {number}"
        candidate = _cut(title, limit - len(suffix)).rstrip("…") + suffix
        number += 1
    taken.add(candidate)
    return candidate


class WhatsAppOutput(OutputChannel):
    """Sends the bot's answers to one WhatsApp user through the Graph API.

    The instance holds the user's phone number (needed for ``to``); Rasa only
    ever sees the pseudonym as ``recipient_id``, which is ignored here.
    """

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(
        self,
        client: GraphApiClient,
        wa_id: Text,
        phone_number_id: Text,
        pseudonym: Text,
    ) -> None:
        self._client = client
        self._wa_id = wa_id
        self.phone_number_id = phone_number_id
        self.pseudonym = pseudonym

    def __repr__(self) -> Text:
        return f"WhatsAppOutput(recipient={self.pseudonym})"

    async def _send(self, payload: Dict[Text, Any], what: Text = "message") -> bool:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self._wa_id,
            **payload,
        }
        return await self._client.post_message(
            self.phone_number_id,
            body,
            log_as=self.pseudonym,
            redact=(self._wa_id,),
            what=what,
        )

    async def mark_as_read(self, message_id: Text) -> bool:
        """Marks the user's message as read (blue ticks)."""
        return await self._client.post_message(
            self.phone_number_id,
            {"messaging_product": "whatsapp", "status": "read", "message_id": message_id},
            log_as=self.pseudonym,
            redact=(self._wa_id, message_id),
            what="read receipt",
        )

    async def send_text_message(
        self, recipient_id: Text, text: Text, **kwargs: Any
    ) -> None:
        for chunk in split_text(text or ""):
            await self._send(
                {"type": "text", "text": {"preview_url": False, "body": chunk}},
                what="text",
            )

    async def _leading_text_and_body(self, text: Text) -> Text:
        """Sends what does not fit into an interactive body; returns the body."""
        chunks = split_text(text or "", MAX_INTERACTIVE_BODY_LENGTH)
        if not chunks:
            return "…"
        body = chunks[-1]
        leading = "\n\n".join(chunks[:-1])
        if leading:
            await self.send_text_message(self.pseudonym, leading)
        return body

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        **kwargs: Any,
    ) -> None:
        options: List[Tuple[Text, Text]] = []
        seen_ids: Set[Text] = set()
        for button in buttons or []:
            if not isinstance(button, dict):
                continue
            title = _as_str(button.get("title")) or ""
            payload = _as_str(button.get("payload")) or title
            if not title.strip() or not payload.strip() or payload in seen_ids:
                continue
            seen_ids.add(payload)
            options.append((title, payload))

        if not options:
            await self.send_text_message(recipient_id, text)
            return

        body = await self._leading_text_and_body(text)
        if len(options) <= MAX_REPLY_BUTTONS:
            await self._send_reply_buttons(body, options)
        else:
            label = _as_str(_as_dict(kwargs.get("metadata")).get("list_button")) or _as_str(
                kwargs.get("list_button")
            )
            await self._send_lists(body, options, label or DEFAULT_LIST_BUTTON)

    async def _send_reply_buttons(
        self, body: Text, options: List[Tuple[Text, Text]]
    ) -> None:
        taken: Set[Text] = set()
        buttons = []
        for title, payload in options:
            if len(payload) > MAX_BUTTON_ID_LENGTH:
                logger.warning(
                    "Button payload longer than %d characters is cut for WhatsApp.",
                    MAX_BUTTON_ID_LENGTH,
                )
            buttons.append(
                {
                    "type": "reply",
                    "reply": {
                        "id": payload[:MAX_BUTTON_ID_LENGTH],
                        "title": _unique(
                            _cut(title, MAX_BUTTON_TITLE_LENGTH),
                            taken,
                            MAX_BUTTON_TITLE_LENGTH,
                        ),
                    },
                }
            )
        await self._send(
            {
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": body},
                    "action": {"buttons": buttons},
                },
            },
            what="reply buttons",
        )

    async def _send_lists(
        self, body: Text, options: List[Tuple[Text, Text]], label: Text
    ) -> None:
        # A list holds at most 10 rows; longer option lists go out as several lists.
        for start in range(0, len(options), MAX_LIST_ROWS):
            taken: Set[Text] = set()
            rows = []
            for title, payload in options[start : start + MAX_LIST_ROWS]:
                row_title = _unique(
                    _cut(title, MAX_ROW_TITLE_LENGTH), taken, MAX_ROW_TITLE_LENGTH
                )
                row = {"id": payload[:MAX_ROW_ID_LENGTH], "title": row_title}
                if _cut(title, 10_000) != row_title:
                    # keep the full label visible when the title had to be cut
                    row["description"] = _cut(title, MAX_ROW_DESCRIPTION_LENGTH)
                rows.append(row)
            await self._send(
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "list",
                        "body": {"text": body if start == 0 else "…"},
                        "action": {
                            "button": _cut(label, MAX_LIST_BUTTON_LENGTH),
                            "sections": [{"rows": rows}],
                        },
                    },
                },
                what="list",
            )

    async def send_image_url(
        self, recipient_id: Text, image: Text, **kwargs: Any
    ) -> None:
        await self._send({"type": "image", "image": {"link": image}}, what="image")

    async def send_attachment(
        self, recipient_id: Text, attachment: Any, **kwargs: Any
    ) -> None:
        if isinstance(attachment, str) and attachment.strip():
            await self.send_text_message(recipient_id, attachment)

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        """Passes a custom payload through if it is a WhatsApp message object.

        ``custom: {type: ..., <type>: {...}}`` in a response is sent as it is (with
        the recipient filled in); custom payloads meant for other channels are not
        shown to WhatsApp users.
        """
        if isinstance(json_message, dict) and isinstance(json_message.get("type"), str):
            payload = {
                k: v
                for k, v in json_message.items()
                if k not in ("to", "messaging_product", "recipient_type")
            }
            await self._send(payload, what="custom message")
        else:
            logger.debug("Custom payload without 'type' not sent to WhatsApp.")
