"""Custom Rasa graph components of the support bot.

Importing the package (Rasa does when it loads the model's components)
registers the spaCy component the project's pipeline (build/spacy_pipeline)
needs, installs the action-server fallback of components/resilience.py and the
compiled action-result validator of components/action_result_validation.py.
"""
from components import action_result_validation  # noqa: F401  (one compiled validator for action results)
from components import resilience  # noqa: F401  (answers when the action server fails)
from components import spacy_lemmas  # noqa: F401  (registers "fold_lemmas")
