"""One message of the assistant's reply: text, buttons and an optional machine-readable payload."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Message:
    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: Optional[dict[str, Any]] = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "buttons": self.buttons}
        if self.custom is not None:
            d["custom"] = self.custom
        return d
