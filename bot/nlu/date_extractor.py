"""`DateExtractor`: dates and what happened on them, wrapping `bot.text.dates.parse_date`.

Entities:
- `commencement`: a JSON-able dict for an `any` slot: {"date": "2027-04-01" | null, "past": bool,
  "event": "advertised" | "awarded" | "start" | null, "precision": "day" | "month" | "quarter" | "year" | null,
  "notice": "find_a_tender" | "contracts_finder" | "ojeu" | "pin" | "transparency_notice" | null}.
  "already went out on FTS" gives date null, past true, event "advertised".
- `commenced`: the ISO date alone (string), when there is one.

Relative dates ("next April") are read against today's date in London when the message is
processed. For reproducible runs set the component's `today` option (ISO date) in config.yml, or
the environment variable LTR_TODAY; tests pass `today` in the config.
"""
from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu._common import ParserExtractor, entity
from bot.text.dates import parse_date


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class DateExtractor(ParserExtractor):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # `today`: ISO date to read relative dates against; None = the date when each message arrives.
        return {"today": None}

    SOURCES = ("nlu/date_extractor.py",)

    def __init__(self, today: Optional[date] = None) -> None:
        self._today = today

    @classmethod
    def from_config(cls, config: Dict[Text, Any]) -> "DateExtractor":
        fixed = config.get("today") or os.environ.get("LTR_TODAY")
        return cls(date.fromisoformat(str(fixed)) if fixed else None)

    def entities(self, text: str) -> List[Dict[str, Any]]:
        return self.extract(text, self.today())

    def today(self) -> date:
        if self._today is not None:
            return self._today
        try:
            from zoneinfo import ZoneInfo

            return datetime.now(ZoneInfo("Europe/London")).date()
        except Exception:  # no time zone database on this machine: the local date is close enough
            return date.today()

    @staticmethod
    def extract(text: str, today: date) -> List[Dict[str, Any]]:
        d = parse_date(text, today)
        if d is None:
            return []
        out = [entity("commencement", d.to_dict(), d.start, d.end, text)]
        if d.date is not None:
            out.append(entity("commenced", d.date.isoformat(), d.start, d.end, text))
        return out
