"""What is bought, apart from whom it is for: the head of the purchase.

Officers often name the client group or the project first and the thing bought second ("Youth centre rebuild –
multidisciplinary design team", "Adult social care: case management system", "social care staffing"), or the
other way round ("software to support children's social care"). Both name services from the catalogue; only
one is what the contract buys. Reference §4.3: design, software, equipment, maintenance, advertising, staff
supply and telecoms are not light touch whatever the client group, so the head must decide.

Patterns over tokens (spaCy's blank English tokenizer and Matcher; no trained model):
- "Y – X", "Y - X", "Y: X": a heading, then what is bought; Y names the client or the project.
- "Y needed to procure X", "Y requires the provision of X": X is bought.
- "X for Y", "X to support Y", "X supporting Y", "X on behalf of Y", "X used by Y": X is bought, Y is served.
- "Y X" with no break ("care home cleaning", "social care staffing"): in an English compound the last noun is
  the head, so X is bought and Y says whose.
A service inside a department's name ("Department of Health and Social Care") names a buyer and is dropped.
The reading keeps every other service named; it puts the head first and says which other service named the client
group, so the dialogue can say "I read this as software … although it is for social care — change?".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

from bot.ltr.match import ServiceMatch
from bot.text.nlp import blank_english, spacy

# A heading separator: a dash with a space on both sides, or a colon.
_DASHES = ["–", "—", "-", "--"]
# Words that introduce whom or what a service is for ("X for Y", "X to support Y").
_FOR_WORDS = [
    [{"LOWER": "for"}],
    [{"LOWER": "to"}, {"LOWER": {"IN": ["support", "help", "serve", "assist"]}}],
    [{"LOWER": {"IN": ["supporting", "serving"]}}],
    [{"LOWER": "on"}, {"LOWER": "behalf"}, {"LOWER": "of"}],
    [{"LOWER": "used"}, {"LOWER": "by"}],
    [{"LOWER": "within"}],
    [{"LOWER": "across"}],
]
# Words that introduce the object of the purchase: "X needed to procure Y", "X requires the provision of Y".
_BOUGHT_WORDS = [
    [{"LOWER": {"IN": ["procure", "procuring", "purchase", "purchasing", "buy", "buying", "commission",
                       "commissioning", "require", "requires", "required", "need", "needs", "needed"]}}],
    [{"LOWER": {"IN": ["provision", "supply", "purchase", "delivery"]}}, {"LOWER": "of"}],
]
# A government department named by its remit ("Department for Education", "Department of Health and Social
# Care", "Ministry of Justice"): the buyer or the recipient, never what is bought.
_DEPARTMENT = [[{"LOWER": {"IN": ["department", "ministry"]}}, {"LOWER": {"IN": ["for", "of"]}}, {"IS_TITLE": True},
                {"LOWER": {"IN": ["and", "&"]}, "OP": "?"}, {"IS_TITLE": True, "OP": "*"}]]
# Words between two service names that keep them one compound ("care home cleaning", "social care IT support").
_BREAKS = frozenset({",", ";", "(", ")", "[", "]", "+", "/", "&", "and", "or", "with", "plus", "including", "inc",
                     "incl", "also", "then", "as", "well", ".", "!", "?"})


@lru_cache(maxsize=1)
def _nlp() -> tuple:
    nlp = blank_english()
    m = spacy.matcher.Matcher(nlp.vocab)
    m.add("HEADING", [[{"ORTH": {"IN": _DASHES}}], [{"ORTH": ":"}]])
    m.add("FOR", _FOR_WORDS)
    m.add("BOUGHT", _BOUGHT_WORDS)
    m.add("DEPARTMENT", _DEPARTMENT)
    return nlp, m


@dataclass(frozen=True)
class PurchaseReading:
    """Every service named, the head first; `client` is a service named only as whom the head is for."""

    services: list[ServiceMatch] = field(default_factory=list)
    client: Optional[ServiceMatch] = None

    @property
    def head(self) -> Optional[ServiceMatch]:
        return self.services[0] if self.services else None


def read_purchase(text: str, found: list[ServiceMatch], decides: Callable[[ServiceMatch], bool]) -> PurchaseReading:
    """Order `found` (the matcher's services in `text`) head first, and name the client-group service if any.

    `decides(m)`: is m a purchase the law treats the same whatever the client group (reference §4.3: not light
    touch)? A later service takes the head from an earlier one only then: "sexual health outreach" stays a
    sexual health service, "care home cleaning" is cleaning."""
    if not found:
        return PurchaseReading([])
    nlp, matcher = _nlp()
    doc = nlp(text)
    matches = [(nlp.vocab.strings[key], s, e) for key, s, e in matcher(doc)]
    departments = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)) for label, s, e in matches if label == "DEPARTMENT"]
    found = [m for m in found if not any(a <= m.start and m.end <= b for a, b in departments)]
    if len(found) < 2:
        return PurchaseReading(list(found))
    headings: list[int] = []  # character offsets of heading separators
    fors: list[int] = []  # character offsets just after "for", "to support", ...
    bought: list[int] = []  # character offsets of "procure", "provision of", ...
    for label, s, e in matches:
        if label == "BOUGHT":
            bought.append(doc[s].idx)
        elif label == "HEADING":
            tok = doc[s]
            spaced = tok.text == ":" or (s > 0 and doc[s - 1].whitespace_ and tok.whitespace_)
            if spaced:
                headings.append(tok.idx)
        elif label == "FOR":
            fors.append(doc[e - 1].idx + len(doc[e - 1].text))
    client_of: dict[int, int] = {}  # index of a client-group service -> index of the service it serves
    kinds = [decides(m) for m in found]
    # "Y – X": what follows a heading is what is bought when either side names a purchase the law treats alike
    # whatever the client ("Youth centre rebuild – design team"; "Care home staffing – agency nurses" says which staff).
    for h in headings:
        left = [i for i, o in enumerate(found) if o.end <= h and i not in client_of]
        right = [j for j, o in enumerate(found) if o.start > h]
        if left and right and any(kinds[k] for k in left + right):
            for i in left:
                client_of[i] = right[0]
    for i, m in enumerate(found):
        if i in client_of:
            continue
        later = [j for j, o in enumerate(found) if o.start >= m.end and kinds[j] and not kinds[i]]
        # "Y needed to procure X": Y is who buys (or for whom), X what is bought.
        obj = next((j for j in later if any(m.end <= b < found[j].start for b in bought)
                    and not _sentence_between(doc, m.end, found[j].start)), None)
        if obj is not None:
            client_of[i] = obj
            continue
        # "X for Y": Y after "for" that follows another service in the same clause.
        prev = [j for j, o in enumerate(found[:i]) if o.end <= m.start]
        if prev and any(found[prev[-1]].end <= f <= m.start for f in fors) and not _broken(doc, found[prev[-1]].end, m.start, strict=False):
            client_of[i] = prev[-1]
            continue
        # "Y X": a compound whose last noun is another service.
        nxt = next((j for j, o in enumerate(found) if o.start >= m.end), None)
        if nxt is not None and nxt in later and not _broken(doc, m.end, found[nxt].start, strict=True):
            client_of[i] = nxt
    heads = [m for i, m in enumerate(found) if i not in client_of]
    if not heads:
        return PurchaseReading(list(found))
    head = heads[0]
    rest = [m for m in found if m is not head]
    client = min(client_of, default=None)  # the first service named only as whom the purchase is for
    return PurchaseReading([head] + rest, found[client] if client is not None else None)


def _broken(doc, start: int, end: int, strict: bool) -> bool:
    """Is there a break between two service names? Strict (a compound): any word at all but a filler breaks it."""
    between = [t for t in doc if start <= t.idx and t.idx + len(t.text) <= end]
    if any(t.text.lower() in _BREAKS or t.is_punct and t.text not in ("'s", "'") for t in between):
        return True
    if strict:
        return len(between) > 1  # "care home (contract) cleaning" is one compound; longer gaps are not
    return False


def _sentence_between(doc, start: int, end: int) -> bool:
    return any(t.text in (".", "!", "?") for t in doc if start <= t.idx and t.idx + len(t.text) <= end)


# ---- what is bought, when the catalogue names nothing ------------------------------------------------------------
#
# "I've been asked to find a company to clear graffiti from our estates", "we need to commission someone to cut the
# grass in our parks", "we want to buy new road signs": the words after the buying words say what is bought, even in
# words no catalogue entry knows. The dialogue keeps them as the service and offers the nearest categories.

# Who would do it: "a company to …", "someone who …", "a provider for …".
_DOER = [{"LOWER": {"IN": ["a", "an", "the", "some"]}, "OP": "?"},
         {"LOWER": {"IN": ["company", "companies", "provider", "providers", "organisation", "organisations", "organization",
                           "firm", "supplier", "suppliers", "contractor", "contractors", "someone", "somebody", "charity",
                           "agency", "business", "service", "partner"]}},
         {"LOWER": {"IN": ["to", "who", "that", "for", "which"]}}]
_GET = {"LOWER": {"IN": ["find", "finding", "get", "getting", "appoint", "appointing", "hire", "hiring", "engage",
                         "engaging", "source", "sourcing", "commission", "commissioning", "procure", "procuring", "buy",
                         "buying", "need", "needs", "want", "contract", "contracting", "use", "using"]}}
_FRAMES = [[_GET] + _DOER,
           # "we need to buy new road signs", "asked to commission grass cutting"
           [{"LOWER": {"IN": ["buy", "purchase", "procure", "commission", "outsource"]}},
            {"LOWER": "for", "OP": "?"}]]
_CLAUSE_END = frozenset({".", "?", "!", ";", ":", "-", "–", "—"})
_NOT_BOUGHT = frozenset({"it", "this", "that", "them", "one", "something", "anything", "services", "a", "an", "the", "to"})


@lru_cache(maxsize=1)
def _frames() -> tuple:
    nlp = blank_english()
    m = spacy.matcher.Matcher(nlp.vocab)
    m.add("FRAME", _FRAMES, greedy="LONGEST")
    return nlp, m


def bought_words(text: str, limit: int = 12) -> str:
    """The words saying what is bought after the buying words ("clear graffiti from our estates"), or "" when the
    message has no such words. At most `limit` words, up to the end of the clause."""
    nlp, matcher = _frames()
    doc = nlp(text)
    for _, s, e in sorted(matcher(doc), key=lambda m: m[1]):
        words = []
        for tok in doc[e:]:
            if tok.text in _CLAUSE_END or (tok.text == "," and words) or len(words) >= limit:
                break
            words.append(tok)
        said = " ".join(t.text for t in words).strip(" ,")
        if said and words[0].lower_ not in _NOT_BOUGHT:
            return said
    return ""
