"""Typing slips in the words that carry a contract's facts ("3 yeras", "£345k per yaer", "extention", "notcie").

The readers match a small, closed vocabulary of units and cue words; a slip in one of them silently changes a
reading ("£345k per yaer for 4 years" would be £345k in total). Each word of the message that is one slip from a
vocabulary word is put right before reading (two letters swapped, one typed for another, or one left out), and the
message is read as corrected (the words shown back are the corrected ones); real words one slip from a vocabulary
word are left alone ("weak", "novice", "render", "contact", "match").
"""
from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA

# The readers' own words (bot/text: money, duration, dates, VAT, notices) and the months.
VOCABULARY = frozenset("""
year years yearly month months monthly week weeks weekly annum annual annually quarter quarterly
extension extensions extend extended extendable extending option options optional renewal renewals
initial term total overall approximately approx around about roughly million thousand hundred
tender tendering notice advert advertise advertised advertising procurement contract contracts
including included inclusive excluding excluded exclusive exempt plus
january february march april may june july august september october november december
""".split())
# Real words one slip from a vocabulary word: never "corrected".
REAL_WORDS = frozenset("""
weak wake yeah yearn tinder render tended tenter novice nonce notion mouth moths mouths worth
optics opting plush tonal totally initiate terms teams therm contact contacts annul match marsh parch
extent advent abort abut quartet mach totals tenders notices yearn
""".split())
_WORD = re.compile(r"[A-Za-z]{4,}")


@lru_cache(maxsize=4096)
def _fix(word: str) -> str:
    low = word.lower()
    if low in VOCABULARY or low in REAL_WORDS:
        return word
    for v in sorted(VOCABULARY):
        if len(v) not in (len(low), len(low) + 1) or v[0] != low[0]:
            continue
        if OSA.distance(low, v) != 1:
            continue
        swapped = len(v) == len(low) and sorted(low) == sorted(v)  # two letters swapped
        # A letter left out inside the word ("extnd", "anum"); a word that stops one letter short is another word
        # ("include" is not "included", "contract" not "contracts").
        dropped = len(v) == len(low) + 1 and v[:-1] != low
        typed_for = len(v) == len(low) and len(low) >= 5  # one letter typed for another, in a longer word
        if swapped or dropped or typed_for:
            return v.upper() if word.isupper() else (v.capitalize() if word[0].isupper() else v)
    return word


def fix_slips(text: str) -> str:
    """`text` with slips in the vocabulary put right (it may be a letter longer per slip)."""
    return _WORD.sub(lambda m: _fix(m.group()), text)
