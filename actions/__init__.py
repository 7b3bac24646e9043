"""Custom actions. Importing the package loads and validates the knowledge
data, so a broken knowledge file stops the action server at start-up, and
installs the logging filter of support/log_privacy.py (no message text or
phone number in the action server's logs at INFO and above)."""
from support import log_privacy as _log_privacy
from support.knowledge import knowledge as _knowledge

_knowledge()

_log_privacy.install()
