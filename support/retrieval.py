"""Finds the knowledge entries (channels, self-service tools) a question
describes by what they do ("where can I book a repair?" -> the website),
without training examples: character n-gram TF-IDF (scikit-learn, already in
the lock through Rasa) over each entry's names and purposes in both languages,
so a new entry in knowledge/ is found as soon as it is there."""
from __future__ import annotations

import functools
import re
from typing import Dict, Iterable, List, Optional, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer

from support.text import fold
from support.vocabulary import entity_vocabulary

MIN_SCORE = 0.18  # below this the question describes no entry well enough
NEAR_TOP = 0.8  # entries within this share of the best one are named too
CLEARLY_BETTER = 1.25  # how much better the other catalogue's best entry must fit to be the one meant


class Catalogue:
    def __init__(self, entries: Dict[str, Dict], extra_words: Dict[str, Iterable[str]], stopwords: Iterable[str] = ()) -> None:
        self.stopwords = {fold(w) for w in stopwords}
        self.ids = list(entries)
        documents = []
        for ident in self.ids:
            entry = entries[ident]
            parts = [*entry["names"].values(), *entry["purpose"].values(), *extra_words.get(ident, ())]
            documents.append(self._words(" ".join(parts)))
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(documents)

    def _words(self, text: str) -> str:
        return " ".join(w for w in fold(text).split() if w not in self.stopwords)

    def search(self, question: str, limit: int = 2) -> List[Tuple[str, float]]:
        """The entries a question describes, best first (none when nothing fits)."""
        words = self._words(question)
        if not words:
            return []
        scores = (self.matrix @ self.vectorizer.transform([words]).T).toarray().ravel()
        ranked = sorted(zip(self.ids, scores), key=lambda pair: -pair[1])
        if not ranked or ranked[0][1] < MIN_SCORE:
            return []
        return [(i, float(s)) for i, s in ranked[:limit] if s >= NEAR_TOP * ranked[0][1]]


@functools.lru_cache(maxsize=4)
def catalogue(kind: str) -> Catalogue:
    from support.knowledge import knowledge

    kb = knowledge()
    entries = kb.channels if kind == "channel" else kb.tools
    vocabulary = entity_vocabulary()
    return Catalogue(entries, vocabulary["catalogue_words"][kind], vocabulary["retrieval_stopwords"])


def better_elsewhere(question: str, kind: str) -> Optional[Tuple[str, str]]:
    """(kind, id) of an entry of the other catalogue that the question describes
    clearly better than any of `kind`'s ("firmware diagnose machen wie?" asked as
    a self-service tool is the Support App's firmware diagnosis); None otherwise."""
    other = "tool" if kind == "channel" else "channel"
    own, theirs = catalogue(kind).search(question, 1), catalogue(other).search(question, 1)
    if theirs and theirs[0][1] >= CLEARLY_BETTER * (own[0][1] if own else MIN_SCORE):
        return other, theirs[0][0]
    return None


# --- entries named by their words (resources/entity_vocabulary.yml) ---------------

CHANNEL_WORDS = {k: tuple(v) for k, v in entity_vocabulary()["catalogue_words"]["channel"].items()}
TOOL_WORDS = {k: tuple(v) for k, v in entity_vocabulary()["catalogue_words"]["tool"].items()}
EXCLUDING = re.compile(
    r"\b(?:" + "|".join(re.escape(fold(w)) for w in entity_vocabulary()["excluding_words"]) + r")\s+(?:(?:the|dem|der|die|das|den|per|via|by|am|an)\s+)?(\w+)"
)


def match_words(value: str, table: Dict[str, tuple]) -> Optional[str]:
    """The entry whose longest matching word the value contains ("whatsapp"
    is WhatsApp, not the "app")."""
    folded = fold(value).replace(" ", "")
    hits = [(len(word), ident) for ident, words in table.items() for word in words if word in folded]
    return max(hits)[1] if hits else None


def excluded_entries(text: str, words: Dict[str, tuple]) -> List[str]:
    """Channels the user rules out: "besides the phone", "ausser per telefon"."""
    found = [match_words(match.group(1), words) for match in EXCLUDING.finditer(fold(text))]
    return [ident for ident in dict.fromkeys(found) if ident]
