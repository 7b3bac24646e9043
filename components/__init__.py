"""Custom Rasa graph components of the support bot.

Importing the package (Rasa does when it loads the model's components)
registers the spaCy component the project's pipeline (build/spacy_pipeline)
needs, and installs the action-server fallback of components/resilience.py.
"""
from components import resilience  # noqa: F401  (answers when the action server fails)
from components import spacy_lemmas  # noqa: F401  (registers "fold_lemmas")
