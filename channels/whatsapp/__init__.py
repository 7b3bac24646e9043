"""WhatsApp Cloud API (Meta Graph API) channel for Rasa 3.6.

Rasa ships no connector for the Cloud API, so this module provides one:

* ``WhatsAppInput`` -- the input channel. Its name is ``whatsapp``, so Rasa serves
  the webhook at ``/webhooks/whatsapp/webhook``:

  - ``GET``: Meta's verification handshake (``hub.mode=subscribe``,
    ``hub.verify_token``, ``hub.challenge``): the challenge is echoed when the
    token matches, anything else is 403.
  - ``POST``: the ``X-Hub-Signature-256`` header (HMAC-SHA256 of the raw body,
    keyed with the app secret) is checked first, in constant time; a missing or
    wrong signature is 403 and nothing is processed. A signed delivery is
    acknowledged with 200 at once; its user messages are handled in background
    tasks, in order per sender, without one conversation blocking another.
    Status updates (sent/delivered/read/failed) never reach the dialogue.
    Non-text messages reach Rasa as the text ``/non_text`` (intent ``non_text``).
    Interactive replies (reply buttons, list rows) reach Rasa as the ``id`` of the
    chosen button or row, i.e. the payload of the Rasa button.
  - Meta redelivers webhooks it thinks failed. A WhatsApp message id (``wamid``)
    is handled once: its keyed pseudonym (see Privacy) is Rasa's ``message_id``;
    it is remembered in a bounded in-memory set and, before a message is
    processed, looked up among the ``UserUttered`` events of the conversation in
    the agent's tracker store (so a persistent tracker store makes idempotency
    survive a restart).

* ``WhatsAppOutput`` -- the output channel that answers through
  ``POST {api_base}/{phone_number_id}/messages`` with the bearer token: text
  (split above 4,096 characters), Rasa buttons as interactive reply buttons
  (up to 3) or as an interactive list (more than 3), images by link, and the
  read receipt of the incoming message. Failed sends are logged with Meta's error
  code; 429/5xx and the throughput errors (e.g. 130429) are retried with
  exponential backoff a bounded number of times, other 4xx (e.g. 131047, the
  closed 24-hour window) are not retried.

Privacy: the phone number (``wa_id``) is not the Rasa conversation id. Rasa sees
``"wa-" + HMAC-SHA256(pseudonym key, wa_id)[:32]``; the number itself is kept only
inside the ``WhatsAppOutput`` instance that sends the reply, and it is never
logged (log lines use the pseudonym). A ``wamid`` is base64 that contains the
sender's number, so it is not stored either: Rasa's ``message_id`` is
``"wamsg-" + HMAC-SHA256(pseudonym key, wamid)[:32]``, stable across
redeliveries; the ``wamid`` itself only goes back to Meta in the read receipt.

Settings come from the environment (``.env`` is loaded by the launcher):
``WHATSAPP_VERIFY_TOKEN``, ``WHATSAPP_APP_SECRET``, ``WHATSAPP_ACCESS_TOKEN``,
``WHATSAPP_PHONE_NUMBER_ID``, ``WHATSAPP_API_BASE`` (default
``https://graph.facebook.com/v21.0``) and ``WHATSAPP_PSEUDONYM_KEY`` (defaults to
the app secret). With none of them set the channel stays registered but inactive
(the webhook answers 404). With some set but no app secret, Rasa refuses to
start: an unsigned webhook must never be accepted.

Layout of the package (one job per module; import from ``channels.whatsapp``):

* ``settings`` -- ``WhatsAppSettings`` from ``credentials.yml`` and the environment.
* ``security`` -- signature check, keyed pseudonyms, redaction of log text.
* ``coerce`` -- defensive readers for untrusted JSON values.
* ``errors`` -- Graph API error codes that are retried or explained in the log.
* ``payload`` -- parsing of webhook deliveries into ``InboundMessage`` objects.
* ``graph_api`` -- ``GraphApiClient``, the send endpoint with bounded retries.
* ``output`` -- ``WhatsAppOutput``: text splitting, reply buttons, lists.
* ``ordering`` -- per-sender ordering and the in-memory duplicate check.
* ``input`` -- ``WhatsAppInput`` and its Sanic blueprint.
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
