"""Stop words per language: the function words whose presence marks running prose (Gopher
asks for two of them in any document). Lowercase, as `coherence` folds words."""

from __future__ import annotations


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


LANGUAGES: dict[str, frozenset[str]] = {
    "en": _set(
        "the a an and or but of to in on at by for with from as is are was were be been it "
        "its this that these those there their they he she his her we you i not have has had "
        "do does did will would can could which who what when where how than into about"
    ),
    "de": _set(
        "der die das den dem des ein eine einen einem einer eines und oder aber nicht ist "
        "sind war waren wird werden wurde wurden hat haben mit von zu im am auf für bei aus "
        "als auch es sie er wir ihr ich sich in an nach vor über wie wenn dass so noch zum zur"
    ),
    "fr": _set(
        "le la les l un une des du de d et ou mais est sont été était avec pour par dans sur "
        "au aux ce cette ces il elle ils elles on nous vous qui que qu ne pas en se son sa "
        "ses leur leurs a ont plus comme"
    ),
    "es": _set(
        "el la los las un una unos unas de del al y o pero es son fue era con por para en "
        "sobre entre que se lo le su sus no más como este esta estos estas ha han hay muy"
    ),
    "it": _set(
        "il lo la i gli le un una uno di del della dei delle a al alla da dal in nel nella "
        "con su per tra fra e o ma è sono era che non si come più questo questa anche"
    ),
    "nl": _set(
        "de het een en of maar van in op te met voor aan door bij uit naar is zijn was waren "
        "wordt worden heeft hebben dat die dit deze niet ook als er hij zij we ze"
    ),
    "pt": _set(
        "o a os as um uma uns umas de do da dos das e ou mas é são foi era com por para em "
        "no na nos nas que se não mais como este esta seu sua ao"
    ),
}

# A text of no known language is held to the union of the lists.
ANY = frozenset().union(*LANGUAGES.values())


def of(language: str | None) -> frozenset[str]:
    return LANGUAGES.get((language or "").split("-")[0].lower(), ANY)
