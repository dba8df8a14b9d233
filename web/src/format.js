// Wording shared by the card and the announcements. Names of rules and categories come with the
// assessment (regime_name, service_category_label), never from a copy here.

const pounds = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
const poundsPence = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 2 });
const count = new Intl.NumberFormat("en-GB");

export function money(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "Not known";
  const n = Number(value);
  return Number.isInteger(n) ? pounds.format(n) : poundsPence.format(n);
}

export function number(value) {
  return count.format(value);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

export function longDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
  if (!m) return String(iso || "");
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

/** The date the rules were last reviewed ("2026-12-03+41d9bf9b" -> "3 December 2026"); never the hash. */
export function rulesUpdated(version) {
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(String(version || ""));
  return m ? longDate(m[1]) : "not stated";
}

/** An example start month that is always ahead: next April, or this April while it is still a month away. */
export function exampleStart(today = new Date()) {
  const year = today.getMonth() < 2 ? today.getFullYear() : today.getFullYear() + 1;
  return `April ${year}`;
}

export function yesNo(value) {
  if (value === null || value === undefined) return "Not known";
  return value ? "Yes" : "No";
}

/** A short title for a route or obligation: its first sentence, at most about 90 characters. */
export function shortTitle(text) {
  const plain = String(text || "").trim();
  const first = plain.split(/(?<=[.;:])\s|\s\(/)[0].replace(/[.;:]$/, "");
  if (first.length <= 90) return first;
  const cut = first.slice(0, 90);
  return cut.slice(0, cut.lastIndexOf(" ")) + "…";
}

/** A safe link target: http(s) or mailto only, else null. */
export function safeUrl(url) {
  try {
    const parsed = new URL(String(url));
    return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

// Links shown with an answer go to the law or government guidance only (as in bot/render/record.py).
const OFFICIAL_HOSTS = ["legislation.gov.uk", "gov.uk", "england.nhs.uk"];

/** An https link to legislation.gov.uk, GOV.UK or NHS England, else null. */
export function officialUrl(url) {
  const href = safeUrl(url);
  if (!href) return null;
  const { protocol, hostname } = new URL(href);
  const official = OFFICIAL_HOSTS.some((host) => hostname === host || hostname.endsWith(`.${host}`));
  return protocol === "https:" && official ? href : null;
}
