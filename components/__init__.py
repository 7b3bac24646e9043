"""Custom Rasa graph components of the support bot.

Importing the package (Rasa does when it loads the model's components)
registers the spaCy component the project's pipeline (build/spacy_pipeline)
needs, installs the action-server fallback of components/resilience.py and
the cleaning of echoed user text of components/echo_guard.py, and moves the
NLU off the event loop (components/nlu_off_loop.py).
"""
from components import echo_guard  # noqa: F401  (user text in replies stays safe)
from components import nlu_off_loop  # noqa: F401  (the NLU never blocks the event loop)
from components import resilience  # noqa: F401  (answers when the action server fails)
from components import spacy_lemmas  # noqa: F401  (registers "fold_lemmas")
