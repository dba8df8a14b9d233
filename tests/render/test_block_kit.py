"""The answer as Slack Block Kit (`bot.render.block_kit`), on cases assessed by the engine. The figures
expected come from the law (reference §4: the light touch threshold under the Act, £663,540 including
VAT); everything else is compared with the engine's Assessment and with the chat text of the same answer
(`render_answer`), so Slack and the other channels cannot disagree. Slack's limits are Slack's
(https://docs.slack.dev/reference/block-kit/blocks)."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from bot.ltr import Case, assess
from bot.ltr.model import Assessment, Item
from bot.render import block_kit as bk
from bot.render.text import DISCLAIMER, render_answer

TODAY = date(2026, 11, 26)
UNDERSTOOD = [
    {"id": "service", "label": "Service", "text": "Home care (domiciliary care) (\"home care\")", "source": "you said",
     "change": '/inform{"fact": "service"}'},
    {"id": "vat", "label": "VAT", "text": "no VAT is charged", "source": "you said", "change": '/inform{"fact": "vat"}'},
]
HOME_CARE = {"service": "home care", "value": {"total_gbp": 700000}, "vat": "exempt", "commenced": "2027-01-05",
             "commencement_event": "tender_notice"}


def engine(**facts: Any) -> Assessment:
    return assess(Case.from_dict(facts), as_of=TODAY)


def payload(a: Assessment, understood: Any = (), changed: Any = None, first: bool = True) -> dict[str, Any]:
    """The `ltr_assessment` payload as it crosses from the action server (JSON); the conversation's first answer
    carries the "not legal advice" note."""
    return json.loads(json.dumps({"type": "ltr_assessment", "assessment": a.to_dict(), "understood": list(understood),
                                  "changed": changed, **({"disclaimer": True} if first else {})}))


def texts(blocks: list[dict[str, Any]]) -> list[str]:
    out = []
    for b in blocks:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        out += [f["text"] for f in b.get("fields") or []]
        out += [e["text"] for e in b.get("elements") or [] if b["type"] == "context"]
    return out


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_headline_and_figures_are_the_engines():
    a = engine(**HOME_CARE)
    assert (a.regime, a.light_touch, a.above_threshold) == ("PA2023", True, True)
    blocks = bk.assessment_blocks(payload(a, UNDERSTOOD))
    assert blocks[0]["text"]["text"].splitlines()[0] == f"*{a.answer}*"
    figures = next(b for b in blocks if b.get("fields"))
    fields = {f["text"].split("\n")[0].strip("*"): f["text"].split("\n")[1] for f in figures["fields"]}
    assert fields["Rules that apply"] == a.regime_name == "Procurement Act 2023"
    assert fields["Threshold"] == "£663,540 (including VAT)"  # reference §4
    assert fields["Estimated value"] == "£700,000" and fields["Above the threshold"] == "Yes"
    assert fields["Light touch service"] == "Yes"
    assert "Threshold: £663,540 including VAT. Estimated whole-life value: £700,000." == figures["text"]["text"]


def test_every_fact_consequence_and_footer_of_the_chat_answer_is_in_the_blocks():
    a = engine(**HOME_CARE)
    chat = "\n".join(render_answer(a, UNDERSTOOD, "The answer changed: now above the threshold."))
    shown = "\n".join(texts(bk.assessment_blocks(payload(a, UNDERSTOOD, "The answer changed: now above the threshold."))))
    for line in chat.splitlines():
        if line.startswith("- "):
            assert bk.BULLET + line[2:] in shown, line
        elif line not in ("What I understood:", "What this means for you:"):
            assert line in shown, line
    assert DISCLAIMER in shown
    # said once per conversation: later answers leave it out
    assert DISCLAIMER not in "\n".join(texts(bk.assessment_blocks(payload(a, UNDERSTOOD, first=False))))


def test_routes_come_with_their_references_and_facts_with_change_buttons():
    a = engine(**HOME_CARE)
    blocks = bk.assessment_blocks(payload(a, UNDERSTOOD))
    shown = "\n".join(texts(blocks))
    assert a.routes and all(f"({r.ref})" in shown for r in a.routes)
    assert [(b["text"]["text"], b["value"]) for b in buttons(blocks)] == [
        ("Change service", '/inform{"fact": "service"}'), ("Change VAT", '/inform{"fact": "vat"}')]


def test_unconfirmed_items_say_check_with_your_legal_team():
    pcr = engine(service="home care", value={"total_gbp": 3000000}, commenced="2024-04-01", vat="included")
    unconfirmed = [w for w in pcr.warnings if not w.verified]
    first = dataclasses.replace(pcr.obligations[0], verified=False)
    pcr = dataclasses.replace(pcr, obligations=[first, *pcr.obligations[1:]])
    shown = "\n".join(texts(bk.assessment_blocks(payload(pcr))))
    assert f"Check with your legal team: {first.text}" in shown
    for w in unconfirmed:
        assert w.text in shown and ("legal team" in w.text or f"Check with your legal team: {w.text}" in shown)


def test_officer_and_model_text_is_escaped():
    a = engine(**HOME_CARE)
    hostile = [{"id": "service", "label": "Service", "text": "<@U123> & <!channel> <https://evil.example|click>",
                "source": "you said", "change": '/inform{"fact": "service"}'}]
    shown = "\n".join(texts(bk.assessment_blocks(payload(a, hostile, "<b>changed</b>"))))
    assert "&lt;@U123&gt; &amp; &lt;!channel&gt; &lt;https://evil.example|click&gt;" in shown
    assert "&lt;b&gt;changed&lt;/b&gt;" in shown
    assert "<@" not in shown and "<!" not in shown and "<https://evil" not in shown


def test_the_record_link_is_shown_only_when_there_is_one():
    a = engine(**HOME_CARE)
    without = "\n".join(texts(bk.assessment_blocks(payload(a))))
    assert "Decision record" not in without and "<http" not in without
    url = "https://lta.example.gov.uk/records/abc.def"
    last = bk.assessment_blocks(payload(a), url)[-1]
    assert last["type"] == "context" and f"<{url}|{bk.RECORD_LINK}>" in last["elements"][0]["text"]
    assert f"Rules last updated {rules_date(a)}" in last["elements"][0]["text"]


def test_slack_limits_hold_for_a_very_long_answer():
    a = engine(**HOME_CARE)
    many = [Item(id=f"R-{n}", text=f"Route {n}: " + "words " * 200, ref=f"s.{n}", verified=n % 2 == 0) for n in range(120)]
    a = dataclasses.replace(a, routes=many, warnings=many[:60], obligations=many[:40])
    understood = [{"id": f"f{n}", "label": "A" * 100, "text": "x" * 4000, "source": "you said",
                   "change": "/inform{" + '"fact": "' + "v" * 2100 + '"}' if n == 0 else f'/inform{{"fact": "f{n}"}}'}
                  for n in range(30)]
    blocks = bk.assessment_blocks(payload(a, understood), "https://lta.example.gov.uk/records/t")
    assert len(blocks) <= bk.MAX_BLOCKS
    assert "Decision record" in blocks[-1]["elements"][0]["text"]  # the footer is never the one dropped
    for b in blocks:
        if isinstance(b.get("text"), dict):
            assert len(b["text"]["text"]) <= 3000
        assert all(len(f["text"]) <= 2000 for f in b.get("fields") or [])
        if b["type"] == "actions":
            assert len(b["elements"]) <= 25
    assert all(len(x["text"]["text"]) <= 75 and len(x["value"]) <= 2000 for x in buttons(blocks))
    assert len(buttons(blocks)) == 25  # the change button whose payload is too long for Slack is left out


def test_a_question_with_buttons_and_the_message_after_a_click():
    choices = [{"title": "A London borough or other council", "payload": '/inform{"buyer": "sub_central"}'},
               {"title": "An NHS trust", "payload": '/inform{"buyer": "nhs_trust"}'}]
    blocks = bk.message_blocks("Who is buying? <you & me>", choices)
    assert blocks[0]["text"]["text"] == "Who is buying? &lt;you &amp; me&gt;"
    assert [(b["text"]["text"], b["value"]) for b in buttons(blocks)] == [(c["title"], c["payload"]) for c in choices]
    after = bk.chosen(blocks, "An NHS trust")
    assert not buttons(after) and after[0] == blocks[0]
    assert after[-1]["elements"][0]["text"] == "You chose: An NHS trust"


def test_a_question_about_the_service_lists_the_candidates():
    # Reference §8 item 10: legal services are light touch only where not exempt, so the engine asks.
    a = engine(cpv=["79110000"], value={"total_gbp": 700000}, commenced="2027-01-05")
    assert a.status == "needs_input" and len(a.candidates) == 2
    shown = "\n".join(texts(bk.assessment_blocks(payload(a))))
    assert a.answer in shown and all(c.label in shown for c in a.candidates)


def test_options_too_long_for_a_slack_button_are_written_out_in_full_and_numbered():
    long = "Publish a contract details notice within 30 days of entering the contract, and keep the records"
    blocks = bk.message_blocks("What must still be done?", [{"title": long, "payload": '/quiz{"quiz_answer": "a"}'},
                                                           {"title": "Nothing", "payload": '/quiz{"quiz_answer": "b"}'}])
    shown = "\n".join(texts(blocks))
    assert long in shown  # the whole option is readable
    [row] = [b for b in blocks if b["type"] == "actions"]
    labels = [e["text"]["text"] for e in row["elements"]]
    assert all(len(label) <= 75 for label in labels) and labels[0].startswith("1.") and labels[1].startswith("2.")
    assert [e["value"] for e in row["elements"]] == ['/quiz{"quiz_answer": "a"}', '/quiz{"quiz_answer": "b"}']


def rules_date(a) -> str:
    """The date the rules were last reviewed, as an officer reads it (the version's date part, without its hash)."""
    d = date.fromisoformat(a.rules_version.split("+")[0])
    return f"{d.day} {d:%B %Y}"
