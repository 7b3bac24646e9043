"""spaCy component `fold_lemmas`: writes every lemma in folded form.

Users write "Öffnungszeiten", "oeffnungszeiten" and "offnungszeiten"; after
the lookup lemmatizer, folding (support.text.fold) gives all three the same
lemma, which Rasa's CountVectorsFeaturizer then sees as one feature.
Registered on import; `components/__init__.py` imports it so that Rasa's
SpacyNLP can load the pipeline built by scripts/build_spacy.py.
"""
from spacy.language import Language
from spacy.tokens import Doc

from support.text import fold


@Language.component("fold_lemmas")
def fold_lemmas(doc: Doc) -> Doc:
    for token in doc:
        folded = fold(token.lemma_ or token.text)
        token.lemma_ = folded or token.text.lower()
    return doc
