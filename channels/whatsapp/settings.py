"""Settings of the WhatsApp channel, read from ``credentials.yml`` and the
``WHATSAPP_*`` environment variables."""

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Text

from rasa.shared.exceptions import RasaException

from channels.whatsapp.security import SIGNATURE_HEADER

CHANNEL_NAME = "whatsapp"
DEFAULT_API_BASE = "https://graph.facebook.com/v21.0"

ENV_VERIFY_TOKEN = "WHATSAPP_VERIFY_TOKEN"
ENV_APP_SECRET = "WHATSAPP_APP_SECRET"
ENV_ACCESS_TOKEN = "WHATSAPP_ACCESS_TOKEN"
ENV_PHONE_NUMBER_ID = "WHATSAPP_PHONE_NUMBER_ID"
ENV_API_BASE = "WHATSAPP_API_BASE"
ENV_PSEUDONYM_KEY = "WHATSAPP_PSEUDONYM_KEY"
ENV_STORE_PROFILE_NAME = "WHATSAPP_STORE_PROFILE_NAME"

# setting name -> environment variable
_SETTING_ENV = {
    "verify_token": ENV_VERIFY_TOKEN,
    "app_secret": ENV_APP_SECRET,
    "access_token": ENV_ACCESS_TOKEN,
    "phone_number_id": ENV_PHONE_NUMBER_ID,
    "api_base": ENV_API_BASE,
    "pseudonym_key": ENV_PSEUDONYM_KEY,
}
# Settings whose presence means "the operator wants the WhatsApp channel".
# ``api_base`` alone does not count: it has a default and may be copied from
# ``.env.example``.
_ACTIVATING_SETTINGS = (
    "verify_token",
    "app_secret",
    "access_token",
    "phone_number_id",
    "pseudonym_key",
)


class WhatsAppConfigError(RasaException, ValueError):
    """The WhatsApp settings are incomplete in a way that makes the channel unsafe."""


@dataclass(frozen=True)
class WhatsAppSettings:
    """Settings of the WhatsApp channel. Secrets are kept out of ``repr``."""

    app_secret: Text = field(repr=False)
    verify_token: Text = field(default="", repr=False)
    access_token: Text = field(default="", repr=False)
    phone_number_id: Text = ""
    api_base: Text = DEFAULT_API_BASE
    pseudonym_key: Text = field(default="", repr=False)
    # The WhatsApp profile name goes into the tracker store only when this is
    # on (WHATSAPP_STORE_PROFILE_NAME=1): no action uses it.
    store_profile_name: bool = False

    def __post_init__(self) -> None:
        if not self.app_secret:
            raise WhatsAppConfigError(
                f"The WhatsApp channel needs {ENV_APP_SECRET}: without the app "
                f"secret the {SIGNATURE_HEADER} signature of Meta's webhook posts "
                f"cannot be checked, and unsigned posts are never accepted. Set "
                f"{ENV_APP_SECRET} (Meta app dashboard > App settings > Basic > App "
                f"secret), or unset all WHATSAPP_* variables to run without the "
                f"WhatsApp channel."
            )
        object.__setattr__(
            self, "api_base", (self.api_base or DEFAULT_API_BASE).rstrip("/")
        )

    @classmethod
    def load(
        cls,
        environ: Optional[Mapping[Text, Text]] = None,
        credentials: Optional[Mapping[Text, Any]] = None,
    ) -> Optional["WhatsAppSettings"]:
        """Reads the settings from ``credentials`` (if given) and the environment.

        Non-empty values in ``credentials`` (keys ``verify_token``, ``app_secret``,
        ``access_token``, ``phone_number_id``, ``api_base``, ``pseudonym_key``)
        win over the environment.

        Returns:
            ``None`` if no WhatsApp setting is present at all.

        Raises:
            WhatsAppConfigError: some settings are present but the app secret is not.
        """
        environ = os.environ if environ is None else environ
        credentials = credentials if isinstance(credentials, Mapping) else {}
        values: Dict[Text, Text] = {}
        for setting, env_name in _SETTING_ENV.items():
            value = credentials.get(setting)
            if value is None or str(value).strip() == "":
                value = environ.get(env_name, "")
            values[setting] = str(value or "").strip()

        if not any(values[name] for name in _ACTIVATING_SETTINGS):
            return None
        flag = credentials.get("store_profile_name", environ.get(ENV_STORE_PROFILE_NAME, ""))
        store_profile_name = str(flag).strip().lower() in ("1", "true", "yes", "on")
        return cls(**values, store_profile_name=store_profile_name)

    @property
    def missing_optional(self) -> List[Text]:
        """Environment variables the channel works badly without."""
        missing = []
        if not self.verify_token:
            missing.append(ENV_VERIFY_TOKEN)
        if not self.access_token:
            missing.append(ENV_ACCESS_TOKEN)
        if not self.phone_number_id:
            missing.append(ENV_PHONE_NUMBER_ID)
        return missing
