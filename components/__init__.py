"""Custom Rasa graph components of the support bot.

Importing the package (Rasa does when it loads the model's components)
registers the spaCy component the project's pipeline (build/spacy_pipeline)
needs, installs the action-server fallback of components/resilience.py, the
compiled action-result validator of components/action_result_validation.py,
the cleaning of echoed user text of components/echo_guard.py, the logging
filter that keeps message text and phone numbers out of the logs
(support/log_privacy.py), moves the NLU off the event loop
(components/nlu_off_loop.py) and bounds a session's length
(components/session_bound.py).
"""
from support import log_privacy

log_privacy.install()

from components import action_result_validation  # noqa: E402,F401  (one compiled validator for action results)
from components import echo_guard  # noqa: E402,F401  (user text in replies stays safe)
from components import nlu_off_loop  # noqa: E402,F401  (the NLU never blocks the event loop)
from components import resilience  # noqa: E402,F401  (answers when the action server fails)
from components import session_bound  # noqa: E402,F401  (a long chat does not slow down)
from components import spacy_lemmas  # noqa: E402,F401  (registers "fold_lemmas")
