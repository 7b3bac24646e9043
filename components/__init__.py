"""Custom Rasa graph components of the support bot.

Importing the package registers the spaCy component the project's pipeline
(build/spacy_pipeline) needs, before Rasa's SpacyNLP loads it.
"""
from components import spacy_lemmas  # noqa: F401  (registers "fold_lemmas")
