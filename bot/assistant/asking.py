"""What a question asks: what the officer must or may do about what they are buying (a case to check), or one of
the rules the FAQ explains.

A new officer writes "I've been asked to find a company to provide home care for older people. Do I have to run a
tender?". The question is general ("do I have to", "what rules apply", "can I just pick one") and its answer depends
on facts not given yet (the value, when the procurement starts): it is the start of a case, not an FAQ topic. A
question that names a rule in the words of procurement ("Do light touch contracts have to appear in the pipeline
notice?", "what is the threshold?", "do we need a contract details notice for home care?") is one the FAQ answers.

`asks_what_to_do(text, services)`: the question is general, as a whole word list: each word of its frame (the clause
that asks, up to the first service named in it) is one of GENERAL_WORDS, and it asks about the officer's own
action or the rules that apply (CUE_WORDS). Words after the service ("for older people in Barnet") describe what
is bought and are left to the reader.
"""
from __future__ import annotations

import re
from typing import Sequence

from bot.ltr.match import ServiceMatch

# Words of a question about what to do that name no particular rule: pronouns, auxiliaries, and the plain words for
# buying and for the rules in general. A word outside this list ("notice", "threshold", "standstill", "light touch",
# "framework", "KPIs") names a rule: the FAQ answers.
GENERAL_WORDS = frozenset("""
    i we us me my our you your it its this that they them these those a an the one someone somebody anyone any anything
    something there here
    do does did doing done have has had having to need needs needed must should can could may might will would shall
    am is are be been being was were got get getting gotta allowed permitted required obliged necessary ok okay fine
    possible able going go goes out
    what which how where when who whom why whether if
    run running follow following apply applies applying start starting begin beginning buy buying procure procuring
    commission commissioning find finding pick choose select appoint appointing use using give giving hand award
    awarding direct directly just straight simply also still really actually first then next so and but or please tell
    know help want like about with without through for under on in of by from as at all else kind sort type
    tender tendering tenders procurement procurements process processes procedure procedures rule rules law laws legal
    legally legislation regulation regulations regime requirement requirements step steps option options way ways route
    routes competition competitive compete quote quotes quotation quotations formal full proper properly advertise
    advertised advert exercise contract contracts provider providers company companies supplier suppliers
    organisation organisations charity charities business businesses firm agency current existing incumbent same
    thing things anything everything nothing obligations duties exactly around into over this already usually
    normally
    """.split())
# At least one of these: the officer's own action ("do I have to", "can we") or the rules that apply.
CUE_WORDS = frozenset("i we us me you rules rule law laws legislation regulations regime process procedure "
                      "requirements steps options".split())

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# A clause that asks: ends in "?", or starts with a question word (after a greeting or "so"/"and").
_SENTENCES = re.compile(r"(?<=[.?!;:])\s+|\n+|\s+[-–—]+\s+|,\s*(?=(?:so\s+|and\s+|but\s+)?(?:what|which|how|where|when|do|does|is|are|"
                        r"can|could|should|must|will|would|have|has|am|may)\b)", re.I)
_ASKS = re.compile(r"^\s*(?:(?:so|and|but|ok|okay|also|then|please)[,\s]+)*(?:what|which|how|where|when|who|why|"
                   r"do|does|did|is|are|can|could|should|must|will|would|have|has|am|may|shall|tell\s+me|"
                   r"i\s+(?:want|need|would\s+like)\s+to\s+know)\b|\?\s*$", re.I)
_CONTRACTIONS = {"i'm": "i am", "we're": "we are", "you're": "you are", "it's": "it is", "what's": "what is",
                 "don't": "do not", "doesn't": "does not", "can't": "can not", "cannot": "can not",
                 "i've": "i have", "we've": "we have", "i'd": "i would", "we'd": "we would", "isn't": "is not",
                 "aren't": "are not", "how's": "how is", "where's": "where is", "who's": "who is", "there's": "there is",
                 "shouldn't": "should not", "mustn't": "must not", "won't": "will not", "haven't": "have not"}
GENERAL_WORDS = GENERAL_WORDS | {"not", "no"}


def _words(text: str) -> list[str]:
    out: list[str] = []
    for w in _WORD.findall(text.lower().replace("’", "'")):
        out += _CONTRACTIONS.get(w, w).split()
    return out


def asking_clauses(text: str) -> list[tuple[int, str]]:
    """(offset, clause) for each sentence of `text` that asks something."""
    out, pos = [], 0
    for part in _SENTENCES.split(text):
        start = text.find(part, pos)
        pos = start + len(part)
        if part.strip() and _ASKS.search(part):
            out.append((start, part))
    return out


def asks_what_to_do(text: str, services: Sequence[ServiceMatch]) -> bool:
    """Does the message ask, in general words, what the officer must or may do (or which rules apply)? With a
    service named, that is a case to check; see the module's note."""
    for start, clause in asking_clauses(text):
        end = start + len(clause)
        inside = [m.start for m in services if start <= m.start < end]
        frame = text[start:min(inside)] if inside else clause
        words = _words(frame)
        if words and set(words) <= GENERAL_WORDS and set(words) & CUE_WORDS:
            return True
    return False


__all__ = ["GENERAL_WORDS", "CUE_WORDS", "asks_what_to_do", "asking_clauses"]
