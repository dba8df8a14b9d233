"""Typing slips in the words that carry a contract's facts ("3 yeras", "£345k per yaer", "extention", "notcie").

The readers match a small, closed vocabulary of units and cue words; a slip in one of them silently changes a
reading ("£345k per yaer for 4 years" would be £345k in total). Each word of the message that is one slip from a
vocabulary word is put right before reading. Only slips that keep the word's length are put right (two letters
swapped, or one letter typed for another), so every offset into the message still points at the same place;
real words one slip from a vocabulary word are left alone ("weak", "novice", "render").
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
weak wake yeah yearn tinder render tended tenter novice nonce rotice notion mouth moths mouths worth
optics opting plush tonal total totally initiate terms teams therm
""".split())
_WORD = re.compile(r"[A-Za-z]{4,}")


@lru_cache(maxsize=4096)
def _fix(word: str) -> str:
    low = word.lower()
    if low in VOCABULARY or low in REAL_WORDS:
        return word
    for v in VOCABULARY:
        if len(v) != len(low) or v[0] != low[0]:
            continue
        if OSA.distance(low, v) != 1:
            continue
        swapped = sorted(low) == sorted(v)  # two letters swapped
        if swapped or len(low) >= 5:
            return v.upper() if word.isupper() else (v.capitalize() if word[0].isupper() else v)
    return word


def fix_slips(text: str) -> str:
    """`text` with slips in the vocabulary put right; same length, same offsets."""
    return _WORD.sub(lambda m: _fix(m.group()), text)
