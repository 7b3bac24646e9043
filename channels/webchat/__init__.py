"""The website's live chat: Rasa's socket.io channel, hardened, plus the support
page at /webhooks/chat/ (see channel.py and channels/README.md)."""
from channels.webchat.channel import WebChatConfigError, WebChatInput, WebChatOutput

__all__ = ["WebChatConfigError", "WebChatInput", "WebChatOutput"]
