"""Custom Rasa graph components of the support bot.

Importing the package (Rasa does when it loads the model's components)
registers the spaCy component the project's pipeline (build/spacy_pipeline)
needs, installs the action-server fallback of components/resilience.py, the
compiled action-result validator of components/action_result_validation.py,
and the logging filter that keeps message text and phone numbers out of the
logs (support/log_privacy.py).
"""
from support import log_privacy

log_privacy.install()

from components import action_result_validation  # noqa: E402,F401  (one compiled validator for action results)
from components import resilience  # noqa: E402,F401  (answers when the action server fails)
from components import spacy_lemmas  # noqa: E402,F401  (registers "fold_lemmas")
