"""Custom Rasa input channels of the support bot.

Registered in ``credentials.yml`` by module path:

* ``channels.rest.HardenedRestInput`` -- the REST webhook (``/webhooks/rest/webhook``)
  with input validation in front of Rasa's own ``RestInput`` logic.
* ``channels.whatsapp.WhatsAppInput`` -- the WhatsApp Cloud API webhook
  (``/webhooks/whatsapp/webhook``), configured from ``WHATSAPP_*`` environment
  variables.
"""

from channels.rest import HardenedRestInput
from channels.whatsapp import WhatsAppInput, WhatsAppOutput

__all__ = ["HardenedRestInput", "WhatsAppInput", "WhatsAppOutput"]
