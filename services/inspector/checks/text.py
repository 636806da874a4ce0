"""Text normalisation shared by the checks: words, content words, fingerprints."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Scripts written without spaces between words (kana, CJK ideographs, Hangul, Thai).
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
# Function words of the languages the pipeline meets most; they carry no content.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been 
    being it its this that these those there their they them he she his her we our you 
    your i me my not no do does did has have had will would can could should may might 
    must so than then what which who whom whose when where why how about into over also 
    such der die das den dem des ein eine einer eines einem und oder aber nicht ist sind 
    war waren wird werden mit von zu im am auf für bei aus als auch es sie er wir ihr 
    ich le la les un une des du de et ou mais est sont été avec pour par dans sur au aux 
    ce el los las unos unas y o pero es son fue con por para en lo que se""".split()  # noqa: SIM905
)


def normalise(text: str) -> str:
    """Case, width, accents' composition and spacing folded; punctuation dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def token_count(text: str) -> int:
    """Words, counting each character of an unspaced script as one."""
    return len(words(text)) + len(_UNSPACED.findall(text))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def numbers(text: str) -> set[str]:
    return {n.replace(",", ".") for n in _NUMBER.findall(text)}


def stem(word: str) -> str:
    """A crude stem that meets inflections halfway in most European languages: the first
    five letters ("bridges" and "bridge" meet; "build" and "built" do not)."""
    return word[:5]


def fingerprint(kind: str, text: str) -> str:
    digest = hashlib.blake2b(normalise(text).encode(), digest_size=12).hexdigest()
    return f"{kind}:{digest}"
