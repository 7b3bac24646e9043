"""WhatsApp Cloud API (Meta Graph API) channel for Rasa 3.6, served at
``/webhooks/whatsapp/webhook``. What it does (verification, signatures,
ordering, redelivery, pseudonyms, limits, settings) is in channels/README.md.

One job per module; import from ``channels.whatsapp``: ``settings``
(credentials and environment), ``security`` (signature, pseudonyms, log
redaction), ``coerce`` (untrusted JSON), ``errors`` (Graph API error codes),
``payload`` (webhook deliveries to ``InboundMessage``), ``graph_api`` (the send
endpoint with bounded retries), ``output`` (``WhatsAppOutput``), ``ordering``
(per-sender order, duplicates), ``freshness`` (too old to answer), ``input``
(``WhatsAppInput`` and its blueprint).
"""

from channels.whatsapp.errors import (
    ERROR_HINTS,
    ERROR_PAIR_RATE_LIMIT,
    ERROR_RATE_LIMIT,
    ERROR_REENGAGEMENT_WINDOW,
    ERROR_SOMETHING_WENT_WRONG,
    RETRYABLE_ERROR_CODES,
)
from channels.whatsapp.graph_api import GraphApiClient
from channels.whatsapp.input import WhatsAppInput
from channels.whatsapp.ordering import Job
from channels.whatsapp.output import (
    DEFAULT_LIST_BUTTON,
    MAX_BUTTON_ID_LENGTH,
    MAX_BUTTON_TITLE_LENGTH,
    MAX_INTERACTIVE_BODY_LENGTH,
    MAX_LIST_BUTTON_LENGTH,
    MAX_LIST_ROWS,
    MAX_REPLY_BUTTONS,
    MAX_ROW_DESCRIPTION_LENGTH,
    MAX_ROW_ID_LENGTH,
    MAX_ROW_TITLE_LENGTH,
    MAX_TEXT_LENGTH,
    WhatsAppOutput,
    split_text,
)
from channels.whatsapp.payload import NON_TEXT_MESSAGE, InboundMessage, parse_webhook
from channels.whatsapp.security import (
    MESSAGE_KEY_PREFIX,
    PSEUDONYM_HEX_LENGTH,
    PSEUDONYM_PREFIX,
    SIGNATURE_HEADER,
    SIGNATURE_PREFIX,
    message_key,
    pseudonymize,
    signature_is_valid,
)
from channels.whatsapp.settings import (
    CHANNEL_NAME,
    DEFAULT_API_BASE,
    ENV_ACCESS_TOKEN,
    ENV_API_BASE,
    ENV_APP_SECRET,
    ENV_PHONE_NUMBER_ID,
    ENV_PSEUDONYM_KEY,
    ENV_VERIFY_TOKEN,
    WhatsAppConfigError,
    WhatsAppSettings,
)

__all__ = [
    "CHANNEL_NAME",
    "DEFAULT_API_BASE",
    "DEFAULT_LIST_BUTTON",
    "ENV_ACCESS_TOKEN",
    "ENV_API_BASE",
    "ENV_APP_SECRET",
    "ENV_PHONE_NUMBER_ID",
    "ENV_PSEUDONYM_KEY",
    "ENV_VERIFY_TOKEN",
    "ERROR_HINTS",
    "ERROR_PAIR_RATE_LIMIT",
    "ERROR_RATE_LIMIT",
    "ERROR_REENGAGEMENT_WINDOW",
    "ERROR_SOMETHING_WENT_WRONG",
    "GraphApiClient",
    "InboundMessage",
    "Job",
    "MAX_BUTTON_ID_LENGTH",
    "MAX_BUTTON_TITLE_LENGTH",
    "MAX_INTERACTIVE_BODY_LENGTH",
    "MAX_LIST_BUTTON_LENGTH",
    "MAX_LIST_ROWS",
    "MAX_REPLY_BUTTONS",
    "MAX_ROW_DESCRIPTION_LENGTH",
    "MAX_ROW_ID_LENGTH",
    "MAX_ROW_TITLE_LENGTH",
    "MAX_TEXT_LENGTH",
    "MESSAGE_KEY_PREFIX",
    "NON_TEXT_MESSAGE",
    "PSEUDONYM_HEX_LENGTH",
    "PSEUDONYM_PREFIX",
    "RETRYABLE_ERROR_CODES",
    "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX",
    "WhatsAppConfigError",
    "WhatsAppInput",
    "WhatsAppOutput",
    "WhatsAppSettings",
    "message_key",
    "parse_webhook",
    "pseudonymize",
    "signature_is_valid",
    "split_text",
]
