// "Check a list": upload a CSV or XLSX of contracts (a forward plan, a contract register), see each row's answer in a
// table that sorts and filters, download it as CSV or XLSX, and ask the chat about any row.
// The server screens the file (POST /widget/screen, bot/screen); nothing from the file is ever put into the page
// as markup: every value goes in as a text node (dom.js).
import { h, uid } from "./dom.js";
import { money, number } from "./format.js";

export const MAX_BYTES = 5 * 1024 * 1024;
const TYPES = [".csv", ".xlsx"];

// filter id -> [label in the checkbox, words in the caption]
const FILTERS = [
  ["light_touch", "Light touch", "light touch"],
  ["above_threshold", "Above the threshold", "above the threshold"],
  ["needs_input", "Needs more information", "need more information"],
  ["psr", "Provider Selection Regime (PSR)", "PSR"],
  ["exempt", "Exempt", "exempt"],
];

const yes = (v) => (v === true ? "Yes" : v === false ? "No" : "Not known");
const rank = (v) => (v === true ? 0 : v === false ? 1 : 2);
const natural = new Intl.Collator("en-GB", { numeric: true, sensitivity: "base" });

// key, heading, how a row sorts on it (undefined: not sortable), numeric column
const COLUMNS = [
  { key: "row", label: "Row", sort: (a, b) => natural.compare(a.row, b.row) },
  { key: "what", label: "Contract", sort: (a, b) => natural.compare(a.what, b.what) },
  { key: "status", label: "Status", sort: (a, b) => natural.compare(a.status, b.status) },
  { key: "rules", label: "Rules", sort: (a, b) => natural.compare(a.rules, b.rules) },
  { key: "light_touch", label: "Light touch", sort: (a, b) => rank(a.light_touch) - rank(b.light_touch) },
  {
    key: "estimated_value_gbp",
    label: "Estimated value",
    numeric: true,
    sort: (a, b) => (a.estimated_value_gbp ?? -1) - (b.estimated_value_gbp ?? -1),
  },
  { key: "above_threshold", label: "Above threshold", sort: (a, b) => rank(a.above_threshold) - rank(b.above_threshold) },
  { key: "notices", label: "Notices it will need" },
  { key: "ask", label: "Chat" },
];

/** A plain, short reason from the server's error (no command-line advice in the widget). */
function plainReason(text) {
  return String(text || "")
    .split(/; name one with --map|; screen it with `ltr screen`/)[0]
    .replace(/`/g, "")
    .slice(0, 300);
}

export class ScreenPanel {
  /**
   * @param widget the chat (app.js): server, session token, send() and announce()
   */
  constructor(widget) {
    this.widget = widget;
    this.result = null;
    this.file = null;
    this.sortKey = null;
    this.sortDir = "ascending";
    this.build();
  }

  build() {
    const id = uid("lta-screen");
    const headingId = uid("lta-screen-title");
    const inputId = uid("lta-screen-file");
    const hintId = uid("lta-screen-hint");
    this.hintId = hintId;
    const errorId = uid("lta-screen-error");
    this.toggle = h(
      "button",
      {
        type: "button",
        class: "govuk-button govuk-button--secondary lta__check-list",
        "aria-expanded": "false",
        "aria-controls": id,
        onclick: () => (this.panel.hidden ? this.open() : this.close()),
      },
      "Check a list",
    );
    this.input = h("input", {
      class: "govuk-file-upload",
      id: inputId,
      name: "file",
      type: "file",
      accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "aria-describedby": hintId,
    });
    // In the page only while there is an error (the chat's own error message stays the page's only one otherwise)
    this.error = h("p", { class: "govuk-error-message", id: errorId });
    this.group = h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--s", for: inputId }, "Upload a file"),
      h("div", { class: "govuk-hint", id: hintId }, "A CSV or XLSX file, up to 5 MB, with one contract on each row"),
      this.input,
    );
    this.submit = h("button", { type: "submit", class: "govuk-button" }, "Check the list");
    this.status = h("p", { class: "govuk-body lta-screen__status", role: "status" });
    this.results = h("div", { class: "lta-screen__results", hidden: true });
    this.heading = h("h3", { class: "govuk-heading-s", id: headingId, tabindex: "-1" }, "Check a list of contracts");
    this.panel = h(
      "section",
      { class: "lta-screen", id, "aria-labelledby": headingId, hidden: true },
      this.heading,
      h(
        "p",
        { class: "govuk-body-s" },
        "Upload a forward plan, contract register or any list of contracts. Each row is checked as the chat would check it: ",
        "which rules apply, whether it is light touch, its estimated value and the notices it will need.",
      ),
      h(
        "form",
        { class: "lta-screen__form", novalidate: true, onsubmit: (e) => this.onSubmit(e) },
        this.group,
        h(
          "div",
          { class: "govuk-button-group" },
          this.submit,
          h("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: () => this.close() }, "Close"),
        ),
      ),
      this.status,
      this.results,
    );
  }

  open() {
    this.panel.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.heading.focus();
  }

  close() {
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    this.toggle.focus();
  }

  showError(text) {
    this.error.replaceChildren();
    if (text) {
      this.error.append(h("span", { class: "govuk-visually-hidden" }, "Error: "), text);
      if (!this.error.isConnected) this.input.before(this.error);
    } else this.error.remove();
    this.group.classList.toggle("govuk-form-group--error", Boolean(text));
    this.input.classList.toggle("govuk-file-upload--error", Boolean(text));
    this.input.setAttribute("aria-describedby", text ? `${this.error.id} ${this.hintId}` : this.hintId);
  }

  /** The reason a file cannot be sent, or null. */
  check(file) {
    if (!file) return "Select a CSV or XLSX file";
    const name = file.name.toLowerCase();
    if (!TYPES.some((t) => name.endsWith(t))) return "The selected file must be a CSV or XLSX file";
    if (file.size > MAX_BYTES) return "The selected file must be smaller than 5 MB";
    if (file.size === 0) return "The selected file is empty";
    return null;
  }

  async onSubmit(event) {
    event.preventDefault();
    if (this.busy) return;
    const file = this.input.files && this.input.files[0];
    const problem = this.check(file);
    if (problem) {
      this.showError(problem);
      this.input.focus();
      return;
    }
    this.showError("");
    this.busy = true;
    this.submit.setAttribute("aria-disabled", "true");
    this.status.textContent = `Checking ${file.name}…`;
    try {
      const response = await this.post(file, "json");
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (!response.ok) {
        this.status.textContent = "";
        this.showError(this.failure(response.status, body));
        this.input.focus();
        return;
      }
      this.file = file;
      this.show(body);
    } catch {
      this.status.textContent = "";
      this.showError("The list could not be checked. Check your connection and try again");
      this.input.focus();
    } finally {
      this.busy = false;
      this.submit.removeAttribute("aria-disabled");
    }
  }

  failure(status, body) {
    const reason = plainReason(body && body.error);
    if (status === 413) return "The selected file must be smaller than 5 MB";
    if (status === 415) return "The selected file must be a CSV or XLSX file";
    if (status === 403) return "Your chat session has ended. Reload the page, then try again";
    if (status === 429) return "Other lists are being checked at the moment. Try again in a minute";
    if (status === 422) return `The file could not be read: ${reason || "it is not a readable CSV or XLSX file"}`;
    return "The list could not be checked. Try again in a moment";
  }

  post(file, format) {
    const form = new FormData();
    form.append("session_id", this.widget.sessionToken() || "");
    form.append("file", file, file.name);
    return fetch(`${this.widget.server}/widget/screen?format=${format}`, { method: "POST", body: form });
  }

  // ---- the result ----------------------------------------------------------------------------

  show(result) {
    this.result = result;
    this.rows = Array.isArray(result.rows) ? result.rows : [];
    this.sortKey = null;
    this.sortDir = "ascending";
    const counts = result.counts || {};
    const total = this.rows.length;
    const captionId = uid("lta-screen-caption");
    const captionText =
      `${result.name}: ${number(total)} ${total === 1 ? "row" : "rows"} checked. ` +
      FILTERS.map(([key, , words]) => `${number(counts[key] || 0)} ${words}`).join(", ") +
      ".";
    this.caption = h(
      "caption",
      { class: "govuk-table__caption govuk-table__caption--s", id: captionId },
      h("span", { class: "lta-screen__caption" }, captionText), // stays in view while the table scrolls sideways
    );
    this.headers = COLUMNS.map((col) => this.header(col));
    this.body = h("tbody", { class: "govuk-table__body" });
    this.count = h("p", { class: "govuk-body lta-screen__count", "aria-live": "polite", "aria-atomic": "true" });
    this.boxes = FILTERS.map(([key, label]) => {
      const boxId = uid("lta-screen-filter");
      const input = h("input", {
        class: "govuk-checkboxes__input",
        id: boxId,
        type: "checkbox",
        value: key,
        onchange: () => this.render(),
      });
      return [
        input,
        h(
          "div",
          { class: "govuk-checkboxes__item" },
          input,
          h("label", { class: "govuk-label govuk-checkboxes__label", for: boxId }, `${label} (${number(counts[key] || 0)})`),
        ),
      ];
    });
    const notes = [...(Array.isArray(result.notes) ? result.notes : [])];
    const used = result.columns && typeof result.columns === "object" ? Object.keys(result.columns) : [];
    this.downloadError = h("div");
    this.results.replaceChildren(
      h("h3", { class: "govuk-heading-s", tabindex: "-1" }, `Results for ${result.name}`),
      used.length ? h("p", { class: "govuk-body-s" }, `Columns read: ${used.join(", ")}.`) : null,
      notes.length ? h("ul", { class: "govuk-list govuk-list--bullet govuk-body-s" }, notes.slice(0, 10).map((n) => h("li", {}, String(n)))) : null,
      h(
        "div",
        { class: "govuk-button-group lta-screen__downloads" },
        ["csv", "xlsx"].map((format) =>
          h(
            "button",
            { type: "button", class: "govuk-button govuk-button--secondary", onclick: (e) => this.download(format, e.currentTarget) },
            `Download as ${format.toUpperCase()}`,
          ),
        ),
      ),
      this.downloadError,
      h(
        "div",
        { class: "govuk-form-group lta-screen__filters" },
        h(
          "fieldset",
          { class: "govuk-fieldset" },
          h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, "Show only rows that are"),
          h("div", { class: "govuk-checkboxes govuk-checkboxes--small" }, this.boxes.map(([, item]) => item)),
        ),
      ),
      this.count,
      h(
        "div",
        { class: "lta-screen__scroll", role: "region", "aria-labelledby": captionId, tabindex: "0" },
        h(
          "table",
          { class: "govuk-table lta-screen__table" },
          this.caption,
          h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" }, this.headers.map(([th]) => th))),
          this.body,
        ),
      ),
    );
    this.results.hidden = false;
    this.status.textContent = `${number(total)} ${total === 1 ? "row" : "rows"} checked.`;
    this.render();
    this.results.firstChild.focus();
  }

  header(col) {
    const th = h("th", { scope: "col", class: `govuk-table__header${col.numeric ? " govuk-table__header--numeric" : ""}` });
    if (!col.sort) {
      th.append(col.label);
      return [th, null];
    }
    // The arrow is a picture of the order, hidden from screen readers: they hear aria-sort on the heading.
    const button = h(
      "button",
      { type: "button", class: "lta-screen__sort", "data-key": col.key, onclick: () => this.sortBy(col.key) },
      col.label,
      h("span", { class: "lta-screen__arrow", "aria-hidden": "true" }),
    );
    th.append(button);
    return [th, button];
  }

  sortBy(key) {
    if (this.sortKey === key) this.sortDir = this.sortDir === "ascending" ? "descending" : "ascending";
    else {
      this.sortKey = key;
      this.sortDir = "ascending";
    }
    this.render();
    const col = COLUMNS.find((c) => c.key === key);
    this.widget.announce(`Sorted by ${col.label.toLowerCase()}, ${this.sortDir}.`);
  }

  selected() {
    return this.boxes.filter(([input]) => input.checked).map(([input]) => input.value);
  }

  render() {
    const wanted = this.selected();
    let rows = this.rows.filter((r) => wanted.every((f) => Array.isArray(r.flags) && r.flags.includes(f)));
    const col = COLUMNS.find((c) => c.key === this.sortKey);
    if (col) {
      rows = [...rows].sort(col.sort);
      if (this.sortDir === "descending") rows.reverse();
    }
    this.headers.forEach(([th], i) => {
      if (COLUMNS[i].key === this.sortKey) th.setAttribute("aria-sort", this.sortDir);
      else if (COLUMNS[i].sort) th.setAttribute("aria-sort", "none");
    });
    this.body.replaceChildren(...rows.map((r) => this.row(r)));
    const total = this.rows.length;
    const text = rows.length
      ? `Showing ${number(rows.length)} of ${number(total)} ${total === 1 ? "row" : "rows"}.`
      : `No rows match. Showing 0 of ${number(total)} rows: clear a filter to see more.`;
    this.count.textContent = text; // a live region: the new count is announced
  }

  row(r) {
    const cell = (content, numeric, extra) =>
      h("td", { class: `govuk-table__cell${numeric ? " govuk-table__cell--numeric" : ""}${extra ? ` ${extra}` : ""}` }, content);
    const needs = Array.isArray(r.needs) ? r.needs : [];
    const notices = Array.isArray(r.notices) ? r.notices : [];
    const status =
      r.status === "needs_input"
        ? [h("strong", {}, "Needs more information"), needs.length ? h("span", { class: "lta-screen__needs" }, `: ${needs.join("; ")}`) : null]
        : "Answered";
    const ask = h(
      "button",
      { type: "button", class: "govuk-button govuk-button--secondary lta-screen__ask", onclick: () => this.ask(r) },
      "Ask about this row",
      h("span", { class: "govuk-visually-hidden" }, ` (${String(r.row)})`),
    );
    return h(
      "tr",
      { class: "govuk-table__row", "data-row": String(r.row) },
      h("th", { scope: "row", class: "govuk-table__header" }, String(r.row)),
      cell(String(r.what || ""), false, "lta-screen__what"),
      cell(status, false, "lta-screen__wide"),
      cell(String(r.rules || "")),
      cell(yes(r.light_touch)),
      cell(typeof r.estimated_value_gbp === "number" ? money(r.estimated_value_gbp) : "Not known", true),
      cell(r.above_threshold === true && typeof r.estimated_value_gbp !== "number" ? "Yes, until the value is known" : yes(r.above_threshold)),
      cell(notices.length ? notices.join("; ") : "None", false, "lta-screen__wide"),
      cell(ask),
    );
  }

  /** The row's facts sent to the chat as a message, which the assistant answers like any other. */
  ask(r) {
    const text = String(r.ask || "").trim();
    if (!text) return;
    this.widget.askAbout(text);
  }

  async download(format, button) {
    this.downloadError.replaceChildren();
    button.setAttribute("aria-disabled", "true");
    try {
      let response = await fetch(`${this.widget.server}/widget/screen/download?format=${format}`, {
        method: "POST",
        headers: { "Content-Type": "text/plain;charset=UTF-8" },
        body: JSON.stringify({ session_id: this.widget.sessionToken(), id: this.result && this.result.id }),
      });
      if (response.status === 410 && this.file) response = await this.post(this.file, format); // not held here: again
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const disposition = response.headers.get("Content-Disposition") || "";
      const match = /filename="([^"]+)"/.exec(disposition);
      const url = URL.createObjectURL(await response.blob());
      const a = h("a", { href: url, download: match ? match[1] : `screening.${format}` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      this.widget.announce(`The results have been downloaded as ${format.toUpperCase()}.`);
    } catch {
      this.downloadError.replaceChildren(
        h("p", { class: "govuk-error-message", role: "alert" }, "The results could not be downloaded. Try again."),
      );
    } finally {
      button.removeAttribute("aria-disabled");
    }
  }
}
