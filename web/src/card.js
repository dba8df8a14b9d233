// The `ltr_assessment` payload as a card: the answer, the facts, a value-against-threshold bar,
// what must still be done, the routes (expandable, each with its legal reference), caveats,
// assumptions, the decision path as a step diagram, and "download decision record" buttons.
import { h, s, uid } from "./dom.js";
import { longDate, money, regimeLabel, safeUrl, shortTitle, yesNo } from "./format.js";
import { link } from "./markdown.js";

const list = (items) => (Array.isArray(items) ? items.filter((i) => i !== null && i !== undefined) : []);
const isNum = (v) => typeof v === "number" && Number.isFinite(v);

function ref(item) {
  return item.ref ? h("span", { class: "lta-card__ref" }, `Legal reference: ${item.ref}`) : null;
}

function source(item) {
  const href = safeUrl(item.source);
  return href ? h("span", { class: "lta-card__ref" }, link("Source", href)) : null;
}

function unverified(item) {
  return item.verified === false ? h("strong", {}, "Check with your legal team: ") : null;
}

function summaryRow(key, value) {
  return h(
    "div",
    { class: "govuk-summary-list__row" },
    h("dt", { class: "govuk-summary-list__key" }, key),
    h("dd", { class: "govuk-summary-list__value" }, value),
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

function bullets(items, render) {
  const rows = list(items);
  if (!rows.length) return null;
  return h("ul", { class: "govuk-list govuk-list--bullet" }, rows.map((item) => h("li", {}, render(item))));
}

const FIRST_OBLIGATIONS = 5;

/** The first few duties in full; the rest behind "Show N more", so the card stays readable. */
function obligations(items) {
  const rows = list(items);
  if (!rows.length) return null;
  const render = (o) => [unverified(o), o.text, ref(o)];
  const first = bullets(rows.slice(0, FIRST_OBLIGATIONS), render);
  const rest = rows.slice(FIRST_OBLIGATIONS);
  if (!rest.length) return first;
  return [
    first,
    h(
      "details",
      { class: "govuk-details" },
      h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, `Show ${rest.length} more`)),
      h("div", { class: "govuk-details__text" }, bullets(rest, render)),
    ),
  ];
}

function route(item) {
  return h(
    "details",
    { class: "govuk-details" },
    h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, shortTitle(item.text) || item.id)),
    h("div", { class: "govuk-details__text" }, h("p", { class: "govuk-body" }, unverified(item), item.text), ref(item), source(item)),
  );
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
      item.verified === false ? "Check with your legal team: " : "",
      item.text,
      item.ref ? ` (${item.ref})` : "",
    ),
  );
}

/**
 * @param {object} a  Assessment.to_dict()
 * @param {{onDownload: (format: string, button: HTMLButtonElement, card: HTMLElement) => void}} actions
 */
export function renderCard(a, actions) {
  const titleId = uid("lta-card");
  const complete = a.status !== "needs_input";
  const facts = h(
    "dl",
    { class: "govuk-summary-list" },
    summaryRow("Rules that apply", regimeLabel(a.regime)),
    summaryRow("Light touch service", yesNo(a.light_touch)),
    summaryRow("Estimated value", money(a.estimated_value_gbp)),
    summaryRow("Threshold", isNum(a.threshold_gbp) ? money(a.threshold_gbp) : "No threshold applies"),
    summaryRow("Above the threshold", yesNo(a.above_threshold)),
    // service_category is an identifier; show it only when the payload carries its label.
    a.service_category_label ? summaryRow("Service category", a.service_category_label) : null,
  );
  const card = h(
    "article",
    {
      class: "lta-card",
      "aria-labelledby": titleId,
      "data-regime": a.regime || "",
      "data-as-of": a.as_of || "",
      "data-rules-version": a.rules_version || "",
    },
    h("h3", { class: "govuk-heading-s", id: titleId }, complete ? "Which rules apply" : "More information needed"),
    h("p", { class: "lta-card__answer" }, a.answer || ""),
    facts,
    valueBar(a.estimated_value_gbp, a.threshold_gbp),
    list(a.warnings).map(caveat),
    section("What you must still do", obligations(a.obligations)),
    section(
      "Flexibility and innovation routes",
      list(a.routes).length ? h("div", { class: "lta-card__routes" }, list(a.routes).map(route)) : null,
    ),
    section("Assumptions", bullets(a.assumptions, (t) => t)),
    section("What would change the answer", bullets(a.missing, (t) => t)),
    section("Possible service categories", bullets(a.candidates, (c) => `${c.label}${c.cpv ? ` (CPV ${c.cpv})` : ""}`)),
    section("How the answer was reached", steps(a.trace)),
    h(
      "p",
      { class: "lta-card__meta" },
      `Rules version ${a.rules_version || "not stated"}. Rules applied as of ${longDate(a.as_of)}. `,
      "This is guidance, not legal advice.",
    ),
  );
  card.ltaAssessment = a; // for the page that hosts the widget (and tests): the data behind the card
  if (complete) {
    const download = (format, label) =>
      h(
        "button",
        {
          type: "button",
          class: "govuk-button govuk-button--secondary",
          "data-format": format,
          onclick: (event) => actions.onDownload(format, event.currentTarget, card),
        },
        label,
      );
    card.appendChild(
      h(
        "div",
        { class: "govuk-button-group" },
        download("html", "Download decision record (HTML)"),
        download("md", "Download decision record (Markdown)"),
      ),
    );
  }
  return card;
}
