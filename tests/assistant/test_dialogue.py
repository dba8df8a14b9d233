"""The conversation rules, on the pure dialogue (no Rasa): what officers write and what the law needs.

Expected values are worked from the reference (§3: whole life, options, one-off costs, VAT-inclusive under
the Act), not read from the code.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Optional

from bot.assistant.dialogue import DISCLAIMER, Incoming, Outcome, turn

TODAY = date(2026, 11, 26)


class Chat:
    """One officer's conversation with the dialogue, as the action server holds it."""

    def __init__(self) -> None:
        self.state: Optional[dict[str, Any]] = None
        self.last: Optional[Outcome] = None

    def say(self, text: str, intent: Optional[str] = None, **entities: Any) -> Outcome:
        out = turn(self.state, Incoming(text, intent, entities), TODAY)
        self.state, self.last = out.state, out
        return out

    def press(self, button: dict[str, str]) -> Outcome:
        import json

        payload = button["payload"]
        intent, _, body = payload[1:].partition("{")
        entities = json.loads("{" + body) if body else {}
        return self.say(payload, intent, **entities)

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last.messages) if self.last else ""

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.last.messages for b in m.buttons] if self.last else []


def test_a_fully_described_contract_is_answered_in_one_turn() -> None:
    chat = Chat()
    out = chat.say("Supported living for adults with learning disabilities, £180k pa, 3+1+1, charity so no VAT, "
                   "tender notice 1 February 2027")
    a = out.assessment
    assert a is not None
    # 180k x (3 + 2) = 900k, no VAT, Act (notice after 24 Feb 2025), social care is light touch
    assert (a.regime, a.light_touch, a.above_threshold, a.estimated_value_gbp) == ("PA2023", True, True, 900_000)


def test_several_amounts_in_one_message_are_composed() -> None:
    a = Chat().say("Meals service £80k a year for 3+2 plus a £90k set-up fee, ex VAT, tender notice March 2027").assessment
    assert a is not None
    # (80k x 5 + 90k one-off) = 490k net; the Act counts VAT: 490k x 1.2 = 588k
    assert round(a.estimated_value_gbp) == 588_000


def test_a_priced_extension_counts_at_its_own_price() -> None:
    a = Chat().say("Home care £1.6m for the first three years plus an optional fourth year at about £600k, "
                   "no VAT, tender notice April 2027").assessment
    assert a is not None and round(a.estimated_value_gbp) == 2_200_000


def test_amounts_whose_roles_cannot_be_told_are_asked_with_each_reading_as_a_button() -> None:
    chat = Chat()
    out = chat.say("home care, £500k and £650k, tender notice May 2027, no VAT")
    assert out.assessment is None
    labels = [b["title"] for b in chat.buttons]
    assert any("500,000" in t for t in labels) and any("650,000" in t for t in labels)
    out = chat.press(next(b for b in chat.buttons if "650,000" in b["title"]))
    assert out.assessment is not None and out.assessment.estimated_value_gbp == 650_000


def test_an_absurd_or_negative_figure_gets_a_clear_question_not_a_value() -> None:
    for text in ("home care worth -£500k, tender notice May 2027", "home care £1e30 tender notice May 2027",
                 "home care worth £123456789012345678901234567890"):
        chat = Chat()
        out = chat.say(text)
        assert out.assessment is None
        assert "estimated value" in chat.text and "try again" not in chat.text.lower()


def test_a_correction_changes_that_fact_only_and_says_what_changed() -> None:
    chat = Chat()
    first = chat.say("supported living for adults with autism, £500k over 3 years, no VAT, tender notice Feb 2027").assessment
    assert first is not None and first.above_threshold is False
    out = chat.say("sorry, that £500k is per year")
    a = out.assessment
    assert a is not None and a.estimated_value_gbp == 1_500_000 and a.above_threshold is True
    payload = next(m.custom for m in out.messages if m.custom)
    assert payload["changed"] and "changed" in payload["changed"] and "above" in payload["changed"]
    assert a.regime == "PA2023"  # the date and service stayed as they were


def test_a_late_extension_is_added_to_the_term() -> None:
    chat = Chat()
    chat.say("carers support service, £200k a year for 3 years, no VAT, tender notice January 2027")
    a = chat.say("forgot - there's a 1-year extension option").assessment
    assert a is not None and a.estimated_value_gbp == 800_000


def test_vat_on_top_said_later_is_applied() -> None:
    chat = Chat()
    chat.say("welfare rights advice £150k a year for 3 years, tender notice Jan 2027")
    a = chat.say("the provider charges VAT on top").assessment
    assert a is not None and round(a.estimated_value_gbp) == 540_000


def test_a_service_the_catalogue_does_not_know_never_loops() -> None:
    chat = Chat()
    chat.say("we need a zorblatt provision service, £300k, tender notice May 2027")
    assert "service" in chat.text.lower()
    chat.say("£300k in total, tender notice on 1 May 2027")  # the officer answers something else
    titles = [b["title"] for b in chat.buttons]
    assert "Something else" in titles  # likely categories offered, not the same question again
    chat.press(next(b for b in chat.buttons if b["title"] == "Something else"))
    assert "CPV" in chat.text and "legal" in chat.text
    chat.say("thanks")
    assert "What service are you buying" not in chat.text


def test_start_again_forgets_the_case() -> None:
    chat = Chat()
    chat.say("home care £700k total, no VAT, tender notice April 2027")
    chat.say("start again", intent="start_again")
    out = chat.say("£300k")
    assert out.assessment is None and "service" in chat.text.lower()


def test_a_question_mid_flow_is_answered_and_the_pending_question_stays() -> None:
    chat = Chat()
    first = chat.say("home care £600k total, tender notice April 2027").messages[-1].text
    assert "VAT" in first  # £600k is within VAT of the £663,540 threshold, so VAT is asked
    out = chat.say("do thresholds include VAT?")
    assert out.assessment is None and "s.123" in out.messages[0].text  # answered from the knowledge base, cited
    assert (chat.state["pending"] or {}).get("ask") == "vat"
    again = out.messages[-1]  # the question asked again, in other words, with the answers as buttons
    assert "VAT" in again.text and again.text != first and {"included", "excluded", "exempt"} <= {
        b["payload"].split('"')[-2] for b in again.buttons if "vat" in b["payload"]}


def test_the_disclaimer_is_given_once_per_conversation() -> None:
    chat = Chat()
    chat.say("home care £900k total, no VAT, tender notice April 2027")
    first = chat.text
    chat.say("actually it's £950k")
    assert first.count(DISCLAIMER) == 1 and DISCLAIMER not in chat.text


def test_what_was_understood_names_each_fact_with_its_source_and_the_date_in_words() -> None:
    chat = Chat()
    out = chat.say("supported living £150k a year for 4 years plus 2, no VAT, tender notice 1 April 2027")
    facts = {f["id"]: f for f in next(m.custom for m in out.messages if m.custom)["understood"]}
    assert "900,000" in facts["value"]["text"] and facts["value"]["source"] == "you said"
    assert "1 April 2027" in facts["date"]["text"]
    assert facts["buyer"]["source"] == "default"
    assert all(f["change"].startswith("/inform") for f in facts.values() if f["change"])


def test_a_mixed_contract_from_free_text_becomes_parts() -> None:
    a = Chat().say("home care £2.4m + care tech platform and devices £300k, all incl VAT, over 4 yrs, the tech "
                   "could be bought separately, tender notice May 2027").assessment
    assert a is not None
    # s.10: a separable non-light-touch part at or over its own £207,720 threshold stops light touch treatment
    assert a.light_touch is False and a.estimated_value_gbp == 2_700_000


def test_a_month_without_a_year_is_confirmed_when_the_year_changes_the_rules() -> None:
    chat = Chat()
    out = chat.say("home care £800k in total, no VAT, we advertised it in Feb")
    # Feb 2026 is under the Act; Feb 2025 (before 24 Feb 2025) would still be PCR 2015: the year decides the regime
    assert out.assessment is None
    titles = [b["title"] for b in chat.buttons]
    assert any("2025" in t for t in titles) and any("2026" in t for t in titles)
    out = chat.press(next(b for b in chat.buttons if "2025" in b["title"]))
    assert out.assessment is not None and out.assessment.regime == "PCR2015"


def test_a_month_without_a_year_is_not_questioned_when_both_years_give_the_same_answer() -> None:
    out = Chat().say("home care £2m in total, no VAT, tender notice goes out in March")
    assert out.assessment is not None and out.assessment.regime == "PA2023"


def test_asking_to_check_a_contract_starts_the_guided_questions() -> None:
    chat = Chat()
    chat.say("I need to check a contract", intent="assess")
    assert "What service are you buying" in chat.text and chat.buttons  # common services offered as buttons
    assert (chat.state["pending"] or {}).get("ask") == "service"


def test_a_question_about_something_else_gets_the_scope_note_not_faq_topics() -> None:
    chat = Chat()
    chat.say("what's the weather like today?")
    assert "procurement team" in chat.text and not chat.buttons
    chat = Chat()
    chat.say("is there a standstill for light touch contracts?")
    assert "standstill" in chat.text.lower() and "procurement team or legal services" not in chat.text


def test_help_and_greetings_are_answered_before_the_faq_is_tried() -> None:
    chat = Chat()
    chat.say("what can you do?", intent="help")
    assert "start again" in chat.text.lower() and "quiz" in chat.text.lower()


def test_a_new_figure_introduced_by_thats_replaces_the_old_one() -> None:
    chat = Chat()
    chat.say("Day opps for adults w/ LD, about £300k a year for 3+1+1, charity provider, tender notice January 2027")
    a = chat.say("sorry, that's £350k a year").assessment
    assert a is not None and a.estimated_value_gbp == 350_000 * 5


def test_each_amount_named_by_the_service_after_it_makes_the_parts() -> None:
    chat = Chat()
    chat.say("Home care and meals on wheels, incl VAT, tender notice April 2027")
    a = chat.say("£1.5m for the home care and £300k for the meals on wheels").assessment
    assert a is not None
    # two parts, £1.8m in all, both light touch (Sch 1): social care and meals delivery
    assert a.estimated_value_gbp == 1_800_000
    assert sorted(p.value_gbp for p in a.case.parts) == [300_000, 1_500_000]


def test_vat_exempt_said_anywhere_makes_the_price_without_vat_the_whole_price() -> None:
    a = Chat().say("Day opportunities £120k a year ex VAT (the provider is VAT exempt), 3 years, "
                   "tender notice June 2027").assessment
    assert a is not None
    # no VAT is chargeable, so the Act's VAT-inclusive value is the price itself: 120k x 3 = 360k (reference §3.1)
    assert a.estimated_value_gbp == 360_000


def test_services_named_by_their_everyday_words() -> None:
    # a facilitated workshop is a training seminar (80522000) and swimming lessons are sporting services
    # (92600000): both in the Act's Sch 1 light touch list
    for text in ("a facilitator for two workshops with carers, £8k incl VAT, quotes from January 2027",
                 "swimming for primary schools, £60k a year incl VAT for 2 years, quotes from January 2027"):
        a = Chat().say(text).assessment
        assert a is not None, text
        assert (a.regime, a.light_touch) == ("PA2023", True), text


def test_a_figure_with_an_unclear_question_is_taken_as_a_contract_to_check() -> None:
    chat = Chat()
    chat.say("need someone to run 2 day co-design sessions w/ service users, £6k + VAT. is this light touch??")
    assert "What service are you buying?" in chat.text  # the next fact needed, not a list of FAQ topics
    a = chat.say("it's a training seminar, quotes from 1 February 2027").assessment
    assert a is not None
    # the £6k + VAT from the first message was kept: £6,000 x 1.2 = £7,200 under the Act (reference §3.1)
    assert a.estimated_value_gbp == 7_200


def test_a_channels_opening_greet_payload_gets_the_welcome() -> None:
    # The widget opens with "/greet", Teams when the bot is added; both must get the welcome, not "didn't understand".
    from bot.assistant.questions import CONTROL

    chat = Chat()
    chat.say("/greet", "greet")
    assert chat.text == CONTROL["greet"]


def test_a_statement_of_facts_is_taken_as_facts_whatever_intent_the_nlu_gives() -> None:
    chat = Chat()
    chat.say("Can we reserve our youth services contract to a staff mutual?")
    a = chat.say("£400k a year with no VAT, 3 + 2 years, they are a public service mutual, tender notice on "
                 "1 March 2027, London borough.", "faq").assessment
    assert a is not None
    # youth services are light touch (Sch 1); £400k x (3 + 2) = £2m with no VAT: above £663,540 (reference §2, §3)
    assert (a.regime, a.light_touch, a.above_threshold, a.estimated_value_gbp) == ("PA2023", True, True, 2_000_000)


def test_a_question_after_a_comma_is_a_question_even_without_a_question_mark() -> None:
    out = Chat().say("we started our tender before the act came in, are we still PCR", "faq")
    # procurements begun before 24 February 2025 stay under the PCR 2015 (reference §1)
    assert "24 February 2025" in "\n".join(m.text for m in out.messages)
