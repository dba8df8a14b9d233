// A small, safe Markdown subset for bot messages: paragraphs, line breaks, bullet and numbered
// lists, **bold**, [links](https://…) and bare https:// links. It builds DOM nodes from text
// nodes only, so markup in a message is shown as typed and never interpreted.
import { h } from "./dom.js";
import { safeUrl } from "./format.js";

const INLINE = /\*\*(.+?)\*\*|__(.+?)__|\[([^\]\n]+)\]\(([^)\s]+)\)|(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])/g;

export function link(label, url) {
  const href = safeUrl(url);
  if (!href) return document.createTextNode(label);
  return h(
    "a",
    { class: "govuk-link", href, target: "_blank", rel: "noopener noreferrer" },
    label,
    h("span", { class: "govuk-visually-hidden" }, " (opens in new tab)"),
  );
}

export function inline(text, allowBold = true) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined || m[2] !== undefined) {
      out.push(allowBold ? h("strong", {}, inline(m[1] ?? m[2], false)) : m[0]);
    } else if (m[3] !== undefined) {
      out.push(link(m[3], m[4]));
    } else {
      out.push(link(m[5], m[5]));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,3})[.)]\s+(.*)$/;
const HEADING = /^\s*#{1,6}\s+(.*)$/;

/** Markdown text -> DocumentFragment. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  let paragraph = null;
  let list = null;
  const close = () => {
    paragraph = null;
    list = null;
  };
  for (const line of String(text ?? "").replace(/\r\n?/g, "\n").split("\n")) {
    if (!line.trim()) {
      close();
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const tag = bullet ? "ul" : "ol";
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = h(tag, numbered && numbered[1] !== "1" ? { start: numbered[1] } : {});
        fragment.appendChild(list);
      }
      paragraph = null;
      list.appendChild(h("li", {}, inline(bullet ? bullet[1] : numbered[2])));
      continue;
    }
    list = null;
    const heading = HEADING.exec(line);
    if (heading) {
      fragment.appendChild(h("p", {}, h("strong", {}, inline(heading[1], false))));
      paragraph = null;
      continue;
    }
    if (paragraph) {
      paragraph.appendChild(h("br"));
      paragraph.append(...inline(line).map((n) => (typeof n === "string" ? document.createTextNode(n) : n)));
    } else {
      paragraph = h("p", {}, inline(line));
      fragment.appendChild(paragraph);
    }
  }
  return fragment;
}
