"""A Block Kit message as an HTML page, close enough to Slack's look to review a message by eye (the
screenshot the Slack end-to-end test saves under artifacts/). Only what our renderer emits is drawn:
section (text, fields), actions (buttons), context. The mrkdwn is Slack-escaped text; it is unescaped and
escaped again for HTML, so no message text ever becomes markup; only our own `<https://…|label>` links
become anchors."""
from __future__ import annotations

import html
import re
from typing import Any, Sequence

_LINK = re.compile(r"<(https?://[^|<>\s]+)\|([^<>]*)>")
_BOLD = re.compile(r"\*([^*\n]+)\*")

CSS = """
body{font:15px/1.46668 Slack-Lato,Lato,"Helvetica Neue",Helvetica,Arial,sans-serif;color:#1d1c1d;margin:0;background:#fff}
.msg{display:flex;gap:8px;padding:8px 20px;max-width:720px}
.avatar{width:36px;height:36px;border-radius:6px;background:#1d70b8;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.name{font-weight:900}.app{font-size:10px;background:#e8e8e8;border-radius:2px;padding:1px 3px;margin-left:4px;color:#616061}
.section{margin:4px 0}.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px;margin-top:6px}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.actions button{font:inherit;font-size:13px;font-weight:700;border:1px solid #bbbabb;border-radius:4px;background:#fff;padding:2px 12px;height:28px}
.context{font-size:12px;color:#616061;margin:6px 0}a{color:#1264a3;text-decoration:none}
"""


def mrkdwn(text: str) -> str:
    out, last = [], 0
    for m in _LINK.finditer(text):
        out.append(_plain(text[last:m.start()]))
        out.append(f'<a href="{html.escape(m.group(1), quote=True)}">{_plain(m.group(2))}</a>')
        last = m.end()
    out.append(_plain(text[last:]))
    return "".join(out).replace("\n", "<br>")


def _plain(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(html.unescape(text)))


def _block(b: dict[str, Any]) -> str:
    kind = b.get("type")
    if kind == "section":
        body = mrkdwn(b["text"]["text"]) if b.get("text") else ""
        fields = "".join(f"<div>{mrkdwn(f['text'])}</div>" for f in b.get("fields") or [])
        return f'<div class="section">{body}{f"<div class=fields>{fields}</div>" if fields else ""}</div>'
    if kind == "actions":
        buttons = "".join(f"<button type=button>{html.escape(e['text']['text'])}</button>" for e in b.get("elements") or [])
        return f'<div class="actions">{buttons}</div>'
    if kind == "context":
        return '<div class="context">' + " ".join(mrkdwn(e.get("text", "")) for e in b.get("elements") or []) + "</div>"
    return ""


def page(blocks: Sequence[dict[str, Any]], app_name: str = "Light Touch Assistant") -> str:
    body = "".join(_block(b) for b in blocks)
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>Block Kit</title><style>{CSS}</style>"
            f'<div class="msg"><div class="avatar">LT</div><div><div><span class="name">{html.escape(app_name)}</span>'
            f'<span class="app">APP</span></div>{body}</div></div></html>')
