// The `ltr_assessment` payload as a card. What the officer needs at a glance comes first: the headline
// (what changed, the answer), what was understood (each fact with a "Change" button), the figures and
// caveats, and the first duties. The rest starts collapsed: more duties, the routes, the decision path.
// Then "Copy answer", "Print" and the decision record downloads.
import { h, s, uid } from "./dom.js";
import { longDate, money, officialUrl, rulesUpdated, shortTitle, yesNo } from "./format.js";
import { link } from "./markdown.js";

const list = (items) => (Array.isArray(items) ? items.filter((i) => i !== null && i !== undefined) : []);
const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const FIRST_OBLIGATIONS = 3; // the chat's plain text shows the same number

function ref(item) {
  return item.ref ? h("span", { class: "lta-card__ref" }, `Legal reference: ${item.ref}`) : null;
}

function source(item) {
  const href = officialUrl(item.source);
  return href ? h("span", { class: "lta-card__ref" }, link("Source", href)) : null;
}

/** Unconfirmed items say so, once (caveats from the engine already end with it). */
function unverified(item) {
  const says = /legal team/i.test(String(item.text || ""));
  return item.verified === false && !says ? h("strong", {}, "Check with your legal team: ") : null;
}

function summaryRow(key, value, action) {
  return h(
    "div",
    { class: `govuk-summary-list__row${action ? "" : " govuk-summary-list__row--no-actions"}` },
    h("dt", { class: "govuk-summary-list__key" }, key),
    h("dd", { class: "govuk-summary-list__value" }, value),
    action ? h("dd", { class: "govuk-summary-list__actions" }, action) : null,
  );
}

/** Estimated value on a bar against the threshold, with the same facts in words. */
export function valueBar(value, threshold) {
  if (!isNum(value) || !isNum(threshold) || threshold <= 0) return null;
  const max = Math.max(value, threshold) * 1.15;
  const x = (v) => Math.max(0.5, (v / max) * 100);
  const over = value >= threshold;
  const difference = Math.abs(value - threshold);
  const sentence = over
    ? `Estimated value ${money(value)} is ${value === threshold ? "equal to" : "above"} the threshold of ${money(threshold)}${value === threshold ? "" : ` by ${money(difference)}`}.`
    : `Estimated value ${money(value)} is below the threshold of ${money(threshold)} by ${money(difference)}.`;
  const captionId = uid("lta-bar");
  const picture = s(
    "svg",
    { viewBox: "0 0 100 20", preserveAspectRatio: "none", role: "img", "aria-labelledby": captionId, focusable: "false" },
    s("rect", { class: "lta-bar__track", x: 0, y: 5, width: 100, height: 10 }),
    s("rect", { class: `lta-bar__value${over ? " lta-bar__value--over" : ""}`, x: 0, y: 5, width: x(value).toFixed(2), height: 10 }),
    s("line", {
      class: "lta-bar__threshold", x1: x(threshold).toFixed(2), x2: x(threshold).toFixed(2), y1: 0, y2: 20,
      "vector-effect": "non-scaling-stroke",
    }),
  );
  return h(
    "figure",
    { class: "lta-bar" },
    picture,
    h("figcaption", { id: captionId }, sentence),
    h(
      "ul",
      { class: "lta-bar__legend", "aria-hidden": "true" },
      h("li", {}, h("span", { class: `lta-swatch lta-swatch--${over ? "over" : "value"}` }), `Estimated value ${money(value)}`),
      h("li", {}, h("span", { class: "lta-swatch lta-swatch--threshold" }), `Threshold ${money(threshold)}`),
    ),
  );
}

/** The decision path: numbered steps joined by a line. */
export function steps(trace) {
  const items = list(trace);
  if (!items.length) return null;
  return h(
    "ol",
    { class: "lta-steps" },
    items.map((step, i) =>
      h(
        "li",
        { class: `lta-steps__step${i === items.length - 1 ? " lta-steps__step--last" : ""}` },
        unverified(step),
        step.text || step.id || "",
        ref(step),
      ),
    ),
  );
}

function section(title, body) {
  if (!body) return null;
  return [h("h4", { class: "govuk-heading-s" }, title), body];
}

/** A GOV.UK details component, closed until the officer opens it. */
function collapsed(summary, body, extraClass) {
  if (!body) return null;
  return h(
    "details",
    { class: `govuk-details${extraClass ? ` ${extraClass}` : ""}` },
    h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, summary)),
    h("div", { class: "govuk-details__text" }, body),
  );
}

function bullets(items, render) {
  const rows = list(items);
  if (!rows.length) return null;
  return h("ul", { class: "govuk-list govuk-list--bullet" }, rows.map((item) => h("li", {}, render(item))));
}

/** The first duties in full (the engine puts the most important first); the rest behind "Show N more". */
function obligations(items) {
  const rows = list(items);
  if (!rows.length) return null;
  const render = (o) => [unverified(o), o.text, ref(o)];
  const rest = rows.slice(FIRST_OBLIGATIONS);
  return [
    bullets(rows.slice(0, FIRST_OBLIGATIONS), render),
    rest.length ? collapsed(`Show ${rest.length} more`, bullets(rest, render)) : null,
  ];
}

/** A route's text is "Title: what it means". */
function route(item) {
  const text = String(item.text || "");
  const colon = text.indexOf(": ");
  const title = colon > 0 ? text.slice(0, colon) : shortTitle(text) || item.id;
  const body = colon > 0 ? text.slice(colon + 2) : text;
  return [h("strong", {}, title), h("br"), unverified(item), body, ref(item), source(item)];
}

function caveat(item) {
  return h(
    "div",
    { class: "govuk-warning-text" },
    h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true" }, "!"),
    h(
      "strong",
      { class: "govuk-warning-text__text" },
      h("span", { class: "govuk-visually-hidden" }, "Warning"),
      unverified(item),
      item.text,
      item.ref ? ` (${item.ref})` : "",
    ),
  );
}

/** "What I understood": each fact, where it came from, and a button that asks to change it. */
function understoodList(facts, onChange) {
  const rows = list(facts).filter((f) => f && (f.label || f.text));
  if (!rows.length) return null;
  return h(
    "dl",
    { class: "govuk-summary-list lta-card__understood" },
    rows.map((f) =>
      summaryRow(
        String(f.label || ""),
        [String(f.text || ""), f.source ? h("span", { class: "lta-card__source" }, String(f.source)) : null],
        typeof f.change === "string" && f.change && onChange
          ? h(
              "button",
              { type: "button", class: "govuk-link lta-link-button lta-card__change", onclick: () => onChange(f) },
              "Change",
              h("span", { class: "govuk-visually-hidden" }, ` ${String(f.label || "this")}`),
            )
          : null,
      ),
    ),
  );
}

/** The figures, each only where it is true of the case (as bot/render/record.py `result_rows`): no light
 * touch row when the Provider Selection Regime applies instead, no "above the threshold" without a threshold. */
function figures(a) {
  if (a.out_of_scope) return null; // the answer says what the tool does not cover; there are no figures
  const threshold = isNum(a.threshold_gbp);
  const basis = { inclusive: " (including VAT)", net: " (excluding VAT)" }[a.vat_basis] || "";
  return h(
    "dl",
    { class: "govuk-summary-list lta-card__figures" },
    summaryRow("Rules that apply", a.regime_name || "Not decided yet"),
    a.regime === "PSR" ? null : summaryRow("Light touch service", yesNo(a.light_touch)),
    summaryRow("Estimated value", money(a.estimated_value_gbp)),
    summaryRow("Threshold", threshold ? `${money(a.threshold_gbp)}${basis}` : "No threshold applies"),
    threshold ? summaryRow("Above the threshold", yesNo(a.above_threshold)) : null,
    a.service_category_label ? summaryRow("Service category", a.service_category_label) : null,
  );
}

// What the officer may add to the decision record before downloading it (bot/render/record.py DETAILS);
// left empty, the record has a labelled blank to fill in by hand.
const RECORD_DETAILS = [
  ["contract_name", "Contract name"],
  ["contract_reference", "Contract reference"],
  ["officer", "Officer"],
  ["decision_date", "Date of decision"],
  ["decision", "Decision taken"],
  ["approver", "Approved by"],
];
const MAX_DETAIL = 300;

function recordDetails() {
  const fields = RECORD_DETAILS.map(([name, label]) => {
    const id = uid(`lta-record-${name}`);
    return h(
      "div",
      { class: "govuk-form-group lta-card__detail" },
      h("label", { class: "govuk-label", for: id }, label),
      h("input", { class: "govuk-input", id, name, type: "text", maxlength: String(MAX_DETAIL), autocomplete: "off" }),
    );
  });
  return collapsed(
    "Add details to the decision record (optional)",
    [h("p", { class: "govuk-body-s" }, "Anything you leave empty is a labelled blank in the record, to fill in by hand."), fields],
    "lta-card__record-details",
  );
}

/** The details typed into this card's record form, by name (empty ones left out). */
export function detailsOf(card) {
  const out = {};
  for (const input of card.querySelectorAll(".lta-card__record-details input")) {
    const value = input.value.trim();
    if (value) out[input.name] = value.slice(0, MAX_DETAIL);
  }
  return out;
}

function actions(options, cardOf) {
  const button = (label, attrs, onclick) =>
    h("button", { type: "button", class: "govuk-button govuk-button--secondary", ...attrs, onclick }, label);
  return h(
    "div",
    { class: "lta-card__actions" },
    h(
      "div",
      { class: "govuk-button-group" },
      button("Download decision record (HTML)", { "data-format": "html" }, (e) => options.onDownload("html", e.currentTarget, cardOf())),
      button("Download decision record (Markdown)", { "data-format": "md" }, (e) => options.onDownload("md", e.currentTarget, cardOf())),
      button("Copy answer", { "data-action": "copy" }, (e) => options.onCopy(e.currentTarget, cardOf())),
      button("Print", { "data-action": "print" }, () => options.onPrint(cardOf())),
    ),
    recordDetails(),
  );
}

/**
 * @param {object} a  Assessment.to_dict()
 * @param {{understood?: object[], changed?: string|null,
 *          onChange?: (fact: object) => void, onCopy: (button: HTMLButtonElement, card: HTMLElement) => void,
 *          onPrint: (card: HTMLElement) => void,
 *          onDownload: (format: string, button: HTMLButtonElement, card: HTMLElement) => void}} options
 */
export function renderCard(a, options) {
  const titleId = uid("lta-card");
  const complete = a.status !== "needs_input";
  const routes = list(a.routes);
  const trace = list(a.trace);
  const card = h(
    "article",
    {
      class: "lta-card",
      "aria-labelledby": titleId,
      "data-regime": a.regime || "",
      "data-as-of": a.as_of || "",
      "data-rules-version": a.rules_version || "",
    },
    // The headline receives focus when the answer arrives: a screen reader reads it, the page shows it.
    h(
      "div",
      { class: "lta-card__headline", tabindex: "-1" },
      options.changed ? h("p", { class: "lta-card__changed" }, String(options.changed)) : null,
      h("h3", { class: "govuk-heading-s", id: titleId }, complete ? "Which rules apply" : "More information needed"),
      h("p", { class: "lta-card__answer" }, a.answer || ""),
    ),
    // What the officer does with the answer sits next to it: the next Tab from the headline reaches it.
    complete ? actions(options, () => card) : null,
    section("What I understood", understoodList(options.understood, options.onChange)),
    figures(a),
    valueBar(a.estimated_value_gbp, a.threshold_gbp),
    list(a.warnings).map(caveat),
    section("What you must still do", obligations(a.obligations)),
    section("Routes not open, and why", bullets(a.routes_not_open, (r) => [r.text, ref(r)])),
    collapsed(`Flexibility and innovation routes open to you (${routes.length})`, bullets(routes, route), "lta-card__routes"),
    section("Assumptions", bullets(a.assumptions, (t) => t)),
    section("What would change the answer", bullets(a.missing, (t) => t)),
    section("Possible service categories", bullets(a.candidates, (c) => `${c.label}${c.cpv ? ` (CPV ${c.cpv})` : ""}`)),
    collapsed(`How the answer was reached (${trace.length} steps)`, steps(trace), "lta-card__trace"),
    h(
      "p",
      { class: "lta-card__meta" },
      `Rules last updated ${rulesUpdated(a.rules_version)}, applied as of ${longDate(a.as_of)}. `,
      "This is guidance, not legal advice.",
    ),
  );
  card.ltaAssessment = a; // for the page that hosts the widget (and tests): the data behind the card
  return card;
}

/** An older answer's facts can no longer be changed from its card: the conversation has moved on. */
export function retireChangeButtons(container) {
  for (const action of container.querySelectorAll(".lta-card__understood .govuk-summary-list__actions")) {
    action.parentElement.classList.add("govuk-summary-list__row--no-actions");
    action.remove();
  }
}
