"""Text normalisation shared by the name resolvers and the language detector."""
import re
import unicodedata

_FOLDS = (("ß", "ss"), ("ä", "a"), ("ö", "o"), ("ü", "u"), ("ae", "a"), ("oe", "o"), ("ue", "u"))
_NON_WORD = re.compile(r"[^\w+]+", re.UNICODE)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, umlauts and their spellings (ä, ae) folded to the bare vowel,
    other accents stripped, punctuation to single spaces."""
    text = text.lower()
    for source, target in _FOLDS:
        text = text.replace(source, target)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def compact(text: str) -> str:
    """`fold` without spaces: "Xiaomi 13 Pro" -> "xiaomi13pro"."""
    return fold(text).replace(" ", "")


def words(text: str) -> list:
    """The alphabetic words of a text, lower case."""
    return [w.lower() for w in WORD.findall(text)]
