"""Questions about the assistant itself: what it does, what "LTR" means, how to keep or share an answer, how to
start again, whether it is legal advice. Short answers that name the real controls of the channel the officer is
in (the widget's buttons in web/src/card.js and app.js; the Teams card's action and the Slack link in bot/render).

Finding (issue 19): "can I download this?" was told "I can only help with which procurement rules apply", "How do I
save this for the file?" got an answer about PCR saving triggers, and "What is LTR?" a list of services that are not
light touch. What the rules say comes from the FAQ (bot/ltr/knowledge/faq.yml: `what_is_ltr`, `legal_advice`); only
the wording about the assistant's own controls lives here.

`about(text, channel, answered)` -> AboutReply or None. `channel`: "web", "teams", "slack" or None (REST, the
command line: every channel's controls are named). `answered`: whether an answer has been given yet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# Widget controls, as web/src/card.js and web/src/app.js label them.
WEB_DOWNLOAD_HTML = "Download decision record (HTML)"
WEB_DOWNLOAD_MD = "Download decision record (Markdown)"
WEB_COPY = "Copy answer"
WEB_PRINT = "Print"
WEB_DETAILS = "Add details to the decision record (optional)"
WEB_NEW = "Start a new conversation"
# Teams (bot/render/adaptive_card.py) and Slack (bot/render/block_kit.py RECORD_LINK).
TEAMS_RECORD = "Open the decision record"
SLACK_RECORD = "Decision record (opens in your browser)"

_SHORT = 16  # words: a question about the assistant is short; a longer message is about a contract

_WHAT_IT_DOES = re.compile(
    r"^\s*(?:hi|hello|hey)?[,!. ]*(?:so\s+)?(?:"
    r"what\s+(?:can|do|does|will|could)\s+(?:you|this(?:\s+(?:tool|assistant|bot|thing|chat))?|it|the\s+(?:tool|assistant|bot))"
    r"(?:\s+(?:do|help(?:\s+me)?(?:\s+with)?|for|actually\s+do|tell\s+me))?"
    r"|what\s+(?:is|'s)\s+this(?:\s+(?:tool|assistant|bot|thing|chat|for))?"
    r"|what\s+are\s+you(?:\s+for)?"
    r"|what\s+can\s+i\s+(?:ask|use\s+(?:you|this|it)\s+for)(?:\s+you)?"
    r"|how\s+(?:can|could|do|will)\s+you\s+help(?:\s+me)?"
    r"|how\s+(?:does|do)\s+(?:this|it|you)\s+work"
    r"|how\s+do\s+i\s+use\s+(?:this|you|it|the\s+(?:tool|assistant|bot))"
    r")\s*(?:for)?\s*[?.!]*\s*$", re.I)

_LTR = re.compile(
    r"^\s*(?:(?:so|sorry|ok|okay)[, ]+)?(?:"
    r"what(?:\s+is|'s|s|\s+are|\s+does)\s+(?:an?\s+|the\s+)?(?:ltr|lt|light[\s-]touch(?:\s+(?:regime|rules|contracts?))?)"
    r"(?:\s+(?:mean|stand\s+for|means))?"
    r"|what\s+do\s+you\s+mean\s+by\s+(?:ltr|light[\s-]touch)"
    r"|(?:explain|define)\s+(?:ltr|light[\s-]touch)"
    r"|(?:ltr|light[\s-]touch)\s*\??"
    r")\s*[?.!]*\s*$", re.I)

_KEEP_VERB = r"(?:save|download|print|export|share|copy|e-?mail|send|forward|store|attach)"
_KEEP_OBJECT = (r"(?:this|it|that|these|them|the\s+(?:answer|result|results|outcome|record|decision\s+record|conversation|"
                r"chat|advice|assessment|card)|this\s+(?:answer|result|record|conversation|chat|assessment)|"
                r"(?:a|an)\s+(?:copy|record|pdf|print-?out|decision\s+record)|my\s+(?:answer|results?))")
_KEEP = re.compile(rf"\b{_KEEP_VERB}\b(?:\s+\w+){{0,2}}?\s+{_KEEP_OBJECT}\b|\b(?:decision\s+record|pdf|for\s+(?:the|our|my)\s+"
                   r"(?:file|files|records)|(?:get|keep|have)\s+(?:a|an)\s+(?:copy|record|print-?out)(?:\s+of\s+(?:this|it|the\s+answer))?)\b",
                   re.I)
# A rule about the procurement's own documents ("publish a copy of the contract", "keep records of the award") is
# the FAQ's, not a question about the assistant.
_PROCUREMENT_DOCUMENT = re.compile(r"\b(?:contract|notice|tender|award|bid|bids|procurement|minutes|evaluation|"
                                   r"published|publish|regulation|act)\b", re.I)
_ASKS = re.compile(rf"\?\s*$|^\s*(?:how|can|could|may|where|is\s+there|what|do|does|i\s+(?:want|need|would\s+like)\s+to|"
                   rf"please|pls|i'd\s+like|{_KEEP_VERB})\b", re.I)

_START_AGAIN = re.compile(
    r"^\s*(?:how|where)\s+(?:do|can|could|should)\s+(?:i|we)\s+(?:start\s+(?:again|over|afresh|from\s+scratch|a\s+new\s+"
    r"(?:one|conversation|chat|assessment|case))|restart|reset|clear\s+(?:this|it|everything|the\s+chat)|begin\s+again|"
    r"(?:check|do)\s+(?:another|a\s+different|a\s+new)\s+(?:contract|one))"
    r"|^\s*is\s+there\s+a\s+way\s+to\s+(?:start\s+(?:again|over)|restart|reset)", re.I)

_LEGAL = re.compile(
    r"^\s*(?:is\s+(?:this|it|that|what\s+you\s+say)\s+(?:legal\s+)?advice|can\s+i\s+rely\s+on\s+(?:this|it|that|you|"
    r"the\s+answer)|is\s+this\s+(?:legally\s+binding|official|legal\s+advice)|are\s+you\s+a\s+(?:lawyer|solicitor))"
    r"(?:\s+\w+){0,4}\s*[?.!]*\s*$", re.I)


@dataclass
class AboutReply:
    kind: str  # what_it_does | what_is_ltr | keep_answer | start_again | legal_advice
    text: str = ""  # empty when the answer is the FAQ entry `faq_id`
    faq_id: Optional[str] = None
    lead: str = ""  # said before the FAQ entry's answer


def about(text: str, channel: Optional[str] = None, answered: bool = False) -> Optional[AboutReply]:
    if len(text.split()) > _SHORT:
        return None
    if _WHAT_IT_DOES.search(text):
        return AboutReply("what_it_does", WHAT_IT_DOES)
    if _LTR.search(text):
        lead = 'LTR is short for the "light touch regime". ' if re.search(r"\b(?:ltr|lt)\b", text, re.I) else ""
        return AboutReply("what_is_ltr", faq_id="what_is_ltr", lead=lead)
    if _LEGAL.search(text):
        return AboutReply("legal_advice", faq_id="legal_advice")
    if _START_AGAIN.search(text):
        return AboutReply("start_again", start_again(channel))
    if _KEEP.search(text) and _ASKS.search(text) and not _PROCUREMENT_DOCUMENT.search(text):
        return AboutReply("keep_answer", keep_answer(channel, answered))
    return None


WHAT_IT_DOES = (
    "I tell you which procurement rules apply to a contract you are planning: the light touch rules of the "
    "Procurement Act 2023 or PCR 2015, the NHS Provider Selection Regime, or none. Tell me what you are buying, "
    "roughly what it is worth and when the procurement starts, in your own words; I'll ask for anything missing and "
    "say whether it is above the threshold and what you must still do, with references. You can also ask general "
    "questions (\"what is the light touch threshold?\"), say \"quiz me\" for practice scenarios, or \"start again\" at any "
    "time.")


def keep_answer(channel: Optional[str], answered: bool) -> str:
    web = (f"Under each answer: \"{WEB_DOWNLOAD_HTML}\" or \"{WEB_DOWNLOAD_MD}\" saves a decision record for the file, "
           f"\"{WEB_PRINT}\" prints it and \"{WEB_COPY}\" copies it to paste elsewhere. To add the contract name, "
           f"reference, officer, date, decision and approver first, open \"{WEB_DETAILS}\".")
    teams = f"On the answer card, \"{TEAMS_RECORD}\" opens the decision record in your browser, to save, print or share."
    slack = f"The answer ends with a \"{SLACK_RECORD}\" link: open it to save, print or share the record."
    if channel == "web":
        body = web
    elif channel == "teams":
        body = teams
    elif channel == "slack":
        body = slack
    else:
        body = f"In the web chat: {web[0].lower()}{web[1:]} In Teams: {teams[0].lower()}{teams[1:]} In Slack: {slack[0].lower()}{slack[1:]}"
    if not answered:
        return "Once I've answered about a contract, you can keep the answer. " + body
    return body


def start_again(channel: Optional[str]) -> str:
    typed = "Type \"start again\" (or \"restart\") and I'll clear everything."
    if channel == "web":
        return f"Press \"{WEB_NEW}\" under the message box, or type \"start again\". Either clears the case and starts afresh."
    return typed


__all__ = ["AboutReply", "about", "keep_answer", "start_again", "WHAT_IT_DOES"]
