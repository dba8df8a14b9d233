""""Check a list" in the web widget, in headless Chromium against the real assistant (tests/e2e/conftest.py).

The file is tests/screen/data/pipeline.csv, a council forward plan as such plans look (a title block, section
headings, blank lines, a duplicated row, a reference beginning "@", messy values). What each row should get is
worked out from the law in tests/screen/test_pipeline.py (../shared/domain/ltr-reference.md); on 26 November 2026
(LTR_TODAY here) every dated row starts in 2027 or 2028, so the same answers hold:

- 23 contracts (the title block, section headings, blank lines and the repeated A01 are not rows);
- light touch: 13 answered rows (A01, A02, A04, A05, A10, A11, A12, A14, @A17, A18, A19, C22, C24) and the three
  care rows whose value is not known yet (A03 carers' support, A20 supported living, C23 home care): 16;
- above the threshold: A01, A04, A10, A12, A13, A14, A18, C06, C07, C21, and A03, A20 and C23, which must be treated
  as above while their value is not known (an estimate is needed before a contract can be below it): 13;
- need more information: A03 (value, start), A20 (two values), C23 (value), C25 ("xyzzy": no service): 4;
- PSR: none (no row is a health care service arranged by an NHS body); exempt: C09, counsel for care proceedings
  (legal representation, ref §1 step 1): 1.

Screenshots go to artifacts/screenshots/ (git-ignored).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from bot.ltr import Case, assess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
PIPELINE = ROOT / "tests" / "screen" / "data" / "pipeline.csv"
WAIT = 60_000  # ms to wait for the assistant (a wait, not a measurement)
ROWS = 23
COUNTS = {"Light touch": 16, "Above the threshold": 13, "Needs more information": 4,
          "Provider Selection Regime (PSR)": 0, "Exempt": 1}
NEEDS_INPUT = {"A03", "A20", "C23", "C25"}
FOCUS_YELLOW = "rgb(255, 221, 0)"  # GOV.UK focus colour


# ---- fixtures and helpers ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_url(assistant: Any) -> str:
    # One message over REST first: on this shared machine the action server's first answer after a start can run
    # past Rasa's action time limit ("I can't work that out right now"), which is not what these tests are about.
    requests.post(f"{assistant.url.rstrip('/')}/webhooks/rest/webhook", timeout=60,
                  headers={"Authorization": f"Bearer {assistant.rest_token}"},
                  json={"sender": "warm-up", "message": "home care worth £100k starting in April 2027"})
    return assistant.url.rstrip("/") + "/demo/"


def open_page(browser: Browser, url: str, width: int = 1280, height: int = 900) -> tuple[Page, list[str]]:
    """The demo page with the chat ready; the list collects script dialogs, page errors and console errors."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True, accept_downloads=True)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" and "status of 4" not in m.text else None)
    page.goto(url)
    expect(page.locator(".lta")).to_have_attribute("data-state", "ready", timeout=WAIT)
    expect(page.locator(".lta-msg--bot").first).to_be_visible(timeout=WAIT)
    return page, problems


@pytest.fixture
def chat(browser: Browser, demo_url: str) -> Iterator[tuple[Page, list[str]]]:
    page, problems = open_page(browser, demo_url)
    yield page, problems
    page.context.close()


def choose(page: Page, files: Any) -> None:
    """Opens "Check a list" (once), chooses the file(s) and sends them."""
    toggle = page.get_by_role("button", name="Check a list")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    page.get_by_label("Upload a file").set_input_files(files)
    page.get_by_role("button", name="Check the list").click()


def table(page: Page):
    return page.locator(".lta-screen__table")


def body_rows(page: Page):
    return table(page).locator("tbody tr")


def refs(page: Page) -> list[str]:
    return body_rows(page).locator("th").all_inner_texts()


def upload_pipeline(page: Page) -> None:
    choose(page, str(PIPELINE))
    expect(body_rows(page)).to_have_count(ROWS, timeout=WAIT)


def serious_violations(page: Page) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']})).violations"
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in ("serious", "critical")]


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return {text: e.textContent.trim(), tag: e.tagName, type: e.type || '', value: e.value || '',
                           background: s.backgroundColor, outline: s.outlineStyle + ' ' + s.outlineWidth}; }""")


def tab_to(page: Page, matches, limit: int = 60, key: str = "Tab") -> dict:
    """Presses Tab until the focused element matches (a keyboard user's way there); fails if it never does."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError("not reachable with the Tab key")


def values(page: Page) -> list[float]:
    """The estimated values shown, in the table's order; -1 for "Not known"."""
    cells = body_rows(page).locator("td.govuk-table__cell--numeric").all_inner_texts()
    return [-1.0 if c.strip() == "Not known" else float(re.sub(r"[£,]", "", c)) for c in cells]


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".lta-screen").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# ---- the endpoint ------------------------------------------------------------------------------------


def test_the_endpoint_refuses_without_a_chat_session(assistant: Any) -> None:
    url = assistant.url.rstrip("/")
    data = PIPELINE.read_bytes()
    forged = "web-" + "A" * 22 + ".abc.ZZZ" + "Z" * 40
    for form in ({}, {"session_id": ""}, {"session_id": forged}):
        r = requests.post(f"{url}/widget/screen", data=form, files={"file": ("pipeline.csv", data, "text/csv")}, timeout=30)
        assert r.status_code == 403, r.text
        assert "Home care" not in r.text
    r = requests.post(f"{url}/widget/screen/download?format=csv", data='{"session_id": "", "id": "x"}', timeout=30)
    assert r.status_code == 403
    # a file sent as the body, not as a form upload: refused before anything is read
    r = requests.post(f"{url}/widget/screen", data=data, headers={"Content-Type": "text/csv"}, timeout=30)
    assert r.status_code == 415


# ---- the table ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_a_pipeline_shows_as_a_table_that_sorts_and_filters_by_keyboard_and_is_accessible(
        browser: Browser, demo_url: str, width: int, height: int, name: str) -> None:
    page, problems = open_page(browser, demo_url, width, height)
    try:
        toggle = page.get_by_role("button", name="Check a list")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        assert serious_violations(page) == []  # the empty form
        shot(page, f"screen-{name}-form")
        choose(page, str(PIPELINE))
        expect(body_rows(page)).to_have_count(ROWS, timeout=WAIT)
        caption = table(page).locator("caption")
        expect(caption).to_contain_text("pipeline.csv: 23 rows checked.")
        expect(caption).to_contain_text("16 light touch, 13 above the threshold, 4 need more information, 0 PSR, 1 exempt.")
        for label, n in COUNTS.items():
            expect(page.get_by_label(f"{label} ({n})", exact=True)).to_be_visible()
        expect(page.locator(".lta-screen__count")).to_have_text("Showing 23 of 23 rows.")
        # The title block, the section headings and the repeated A01 are not rows; A01 is there once.
        assert sorted(refs(page)) == sorted(["A01", "A02", "A03", "A04", "A05", "A10", "A11", "A12", "A13", "A14", "@A17",
                                             "A18", "A19", "A20", "C06", "C07", "C08", "C09", "C21", "C22", "C23", "C24", "C25"])
        a01 = body_rows(page).filter(has=page.locator("th", has_text="A01"))
        # £1.2m a year for 3 + 1 + 1 years, including VAT: £6m, light touch, above £663,540 (ref §2.3, §3.1)
        expect(a01).to_contain_text("£6,000,000")
        expect(a01).to_contain_text("Procurement Act 2023")
        # C23, home care of unknown value: treated as above the threshold until the value is known
        expect(body_rows(page).filter(has=page.locator("th", has_text="C23"))).to_contain_text("Yes, until the value is known")
        assert serious_violations(page) == []
        shot(page, f"screen-{name}-table")

        # Sort by the estimated value with the keyboard: Tab to its heading button, Enter, Enter again.
        page.get_by_label("Exempt (1)", exact=True).focus()
        now = tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Estimated value")
        assert now["background"] == FOCUS_YELLOW  # the focus is visible
        header = table(page).locator("th", has=page.get_by_role("button", name="Estimated value", exact=True))
        page.keyboard.press("Enter")
        expect(header).to_have_attribute("aria-sort", "ascending")
        shown = values(page)
        assert shown == sorted(shown) and shown[-1] == 6_000_000  # A01, the largest (1.2m x 5 years)
        page.keyboard.press("Enter")
        expect(header).to_have_attribute("aria-sort", "descending")
        assert refs(page)[0] == "A01" and values(page) == sorted(values(page), reverse=True)
        assert table(page).locator("th[aria-sort='ascending'], th[aria-sort='descending']").count() == 1
        tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Status", limit=5, key="Shift+Tab")
        page.keyboard.press("Enter")  # the Status column, by keyboard too
        status_header = table(page).locator("th", has=page.get_by_role("button", name="Status", exact=True))
        expect(status_header).to_have_attribute("aria-sort", "ascending")
        expect(header).to_have_attribute("aria-sort", "none")

        # Filter: "needs more information" with the space bar; the count is announced (a live region).
        box = page.get_by_label("Needs more information (4)", exact=True)
        box.focus()
        page.keyboard.press("Space")
        expect(body_rows(page)).to_have_count(4)
        assert set(refs(page)) == NEEDS_INPUT
        count = page.locator(".lta-screen__count")
        expect(count).to_have_text("Showing 4 of 23 rows.")
        assert count.get_attribute("aria-live") == "polite"
        assert serious_violations(page) == []
        shot(page, f"screen-{name}-filtered")
        page.get_by_label("Exempt (1)", exact=True).check()
        expect(body_rows(page)).to_have_count(0)
        expect(count).to_contain_text("No rows match")
        box.uncheck()
        expect(body_rows(page)).to_have_count(1)
        assert refs(page) == ["C09"]  # legal representation: exempt
        page.get_by_label("Exempt (1)", exact=True).uncheck()
        page.get_by_label("Above the threshold (13)", exact=True).check()
        page.get_by_label("Light touch (16)", exact=True).check()
        # light touch and above: A01, A04, A10, A12, A14, A18 and the three care rows of unknown value
        expect(body_rows(page)).to_have_count(9)
        assert set(refs(page)) == {"A01", "A04", "A10", "A12", "A14", "A18", "A03", "A20", "C23"}
        assert serious_violations(page) == []
        # The table scrolls inside its own box on a phone, which the keyboard can reach
        if width < 500:
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert problems == []
    finally:
        page.context.close()


def test_nothing_in_a_file_is_rendered_as_markup(chat) -> None:
    page, problems = chat
    text = ('Ref,Service,Annual value,Term,Start\r\n'
            'X1,"<img src=x onerror=alert(1)> home care",£100k,3,2027-04-01\r\n'
            'X2,"<b>day care</b>",£50k,2,2027-04-01\r\n')
    choose(page, {"name": "marked.csv", "mimeType": "text/csv", "buffer": text.encode()})
    expect(body_rows(page)).to_have_count(2, timeout=WAIT)
    assert table(page).locator("img, b").count() == 0
    expect(body_rows(page).first).to_contain_text("<img src=x onerror=alert(1)> home care")
    assert problems == []


def test_an_xlsx_pipeline_is_read_like_the_csv(chat, tmp_path: Path) -> None:
    """The same forward plan saved from Excel: the same 23 rows and counts."""
    from openpyxl import Workbook

    wb = Workbook()
    for row in csv.reader(io.StringIO(PIPELINE.read_text(encoding="utf-8"))):
        wb.active.append(row)
    path = tmp_path / "pipeline.xlsx"
    wb.save(path)
    page, problems = chat
    choose(page, str(path))
    expect(body_rows(page)).to_have_count(ROWS, timeout=WAIT)
    expect(table(page).locator("caption")).to_contain_text(
        "pipeline.xlsx: 23 rows checked. 16 light touch, 13 above the threshold, 4 need more information, 0 PSR, 1 exempt.")
    assert problems == []


# ---- downloads -------------------------------------------------------------------------------------


def test_the_results_download_as_csv_and_xlsx_with_injection_neutralised(chat, tmp_path: Path) -> None:
    page, problems = chat
    upload_pipeline(page)
    with page.expect_download() as got:
        page.get_by_role("button", name="Download as CSV").click()
    path = tmp_path / "screening.csv"
    got.value.save_as(path)
    assert got.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header, data = rows[0], {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert len(data) == ROWS and header[0] == "Row"
    assert data["A01"]["Light touch"] == "yes" and float(data["A01"]["Estimated value (£)"]) == 6_000_000
    assert "'@A17" in data and "@A17" not in data  # the reference began with "@": shown, never run
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows for c in r)

    with page.expect_download() as got:
        page.get_by_role("button", name="Download as XLSX").click()
    path = tmp_path / "screening.xlsx"
    got.value.save_as(path)
    ws = load_workbook(path).worksheets[0]
    cells = [list(r) for r in ws.iter_rows()]
    assert cells[0][0].value == "Row" and len(cells) == ROWS + 1
    injected = next(r for r in cells if str(r[0].value).endswith("@A17"))
    assert injected[0].value == "'@A17" and injected[0].data_type == "s"
    by_ref = {r[0].value: r for r in cells[1:]}
    above = header.index("Above threshold")
    assert by_ref["C08"][above].value == "no"  # £8,000 grounds maintenance
    assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")) for r in cells for c in r)

    # After "Start a new conversation" the old session's screening is no longer served (403/410 for the new
    # session): the widget sends the file again with the new session, and the download still works.
    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(".lta-msg--bot").first).to_be_visible(timeout=WAIT)
    with page.expect_download() as got:
        page.get_by_role("button", name="Download as CSV").click()
    path = tmp_path / "again.csv"
    got.value.save_as(path)
    again = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in again] == [r[0] for r in rows]
    assert problems == []


# ---- bad files ---------------------------------------------------------------------------------------


def test_a_file_too_big_of_the_wrong_type_or_unreadable_gets_a_clear_message(chat) -> None:
    page, problems = chat
    error = page.locator(".lta-screen .govuk-error-message")
    choose(page, {"name": "huge.csv", "mimeType": "text/csv", "buffer": b"Ref,Service\r\n" + b"x" * (5 * 1024 * 1024)})
    expect(error).to_have_text("Error: The selected file must be smaller than 5 MB")
    assert focused(page)["type"] == "file"
    choose(page, {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 not a spreadsheet"})
    expect(error).to_have_text("Error: The selected file must be a CSV or XLSX file")
    assert serious_violations(page) == []
    choose(page, {"name": "plan.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04 broken zip" * 10})
    expect(error).to_contain_text("The file could not be read: not a readable XLSX workbook", timeout=WAIT)
    choose(page, {"name": "colours.csv", "mimeType": "text/csv", "buffer": b"Colour,Size\r\nred,9\r\n"})
    expect(error).to_contain_text("no column says what is being bought", timeout=WAIT)
    expect(error).not_to_contain_text("--map")
    expect(body_rows(page)).to_have_count(0)
    # The server's own limits, for a page that does not check first: 413 over 5 MB, 415 for another type.
    statuses = page.evaluate(
        """async () => {
          const token = sessionStorage.getItem(Object.keys(sessionStorage).find((k) => k.startsWith('lta-session:')));
          const send = async (name, size) => {
            const form = new FormData();
            form.append('session_id', token);
            form.append('file', new Blob([new Uint8Array(size).fill(65)]), name);
            return (await fetch('/widget/screen', {method: 'POST', body: form})).status;
          };
          return [await send('big.csv', 5 * 1024 * 1024 + 1), await send('plan.pdf', 100)];
        }""")
    assert statuses == [413, 415]
    assert [p for p in problems if not p.startswith("console")] == []


# ---- "Ask about this row" ----------------------------------------------------------------------------


def test_ask_about_this_row_answers_in_the_chat_with_the_rows_facts(chat, today: date) -> None:
    page, problems = chat
    upload_pipeline(page)
    page.get_by_role("button", name="Ask about this row (A01)").click()
    user = page.locator(".lta-msg--user").last
    expect(user).to_contain_text("Home care for older people")
    expect(page.locator(".lta__typing")).to_be_hidden(timeout=WAIT)
    card = page.locator(".lta-card")
    assert card.count() == 1, page.locator(".lta-msg--bot").all_inner_texts()[-3:]
    # A01 from the law: home care for older people, £1.2m a year for 3 years plus 1 + 1, including VAT, from
    # 1 April 2027, a London borough: light touch under the Procurement Act 2023, £6m, above the threshold.
    case = {"service": "home care", "value": {"annual_gbp": 1_200_000, "years": 3, "extension_years": 2},
            "vat": "included", "commenced": "2027-04-01", "buyer": "sub_central"}
    expected = assess(Case.from_dict(case), as_of=date.fromisoformat(card.get_attribute("data-as-of") or today.isoformat()))
    assert expected.light_touch and expected.above_threshold and expected.estimated_value_gbp == 6_000_000
    expect(card.locator(".lta-card__headline .lta-card__answer")).to_have_text(expected.answer)
    expect(card).to_contain_text("Home care")
    expect(card).to_contain_text("£6,000,000")

    # A row that needs more information: the chat asks for what the row left open. It is home care too, so the
    # chat is cleared first: the row is a contract of its own, not a correction of A01's value.
    page.get_by_role("button", name="Ask about this row (C23)").click()
    expect(page.locator(".lta-msg--user").last).to_contain_text("Home care (north)", timeout=WAIT)
    expect(page.locator(".lta-msg--bot").last).to_contain_text("worth", timeout=WAIT)
    expect(page.locator(".lta-msg--bot").nth(-2)).to_contain_text("start again")
    assert page.locator(".lta-card").count() == 1  # A01's answer, and no second answer from A01's value
    assert [p for p in problems if not p.startswith("console")] == []
