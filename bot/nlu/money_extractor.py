"""`MoneyExtractor`: amounts of money, wrapping `bot.text.money.parse_money`.

Entities, per amount found:
- `money`:  a JSON-able dict for an `any` slot: {"amount_gbp": 700000.0, "period": "year",
            "vat": "excluded", "years": 5.0, "low_gbp": 600000.0}; keys other than amount_gbp only when said.
            period: total | year | month, or week | day | hour for unit rates (not a contract value).
- `amount`: the amount in pounds (float), for a `float` slot.
- `period`: the period when said (string).
- `vat`:    the VAT status when said: included | excluded | exempt. Said without an amount
            ("that's ex VAT"), `vat` is emitted on its own, and then can also be `unknown`
            ("not sure about VAT").
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu._common import ParserExtractor, entity
from bot.text.facts import parse_vat_status
from bot.text.money import parse_money


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP")
class MoneyExtractor(ParserExtractor):
    SOURCES = ("nlu/money_extractor.py",)

    @staticmethod
    def extract(text: str) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        amounts = parse_money(text)
        for m in amounts:
            out.append(entity("money", m.to_dict(), m.start, m.end, text))
            out.append(entity("amount", m.amount_gbp, m.start, m.end, text))
            if m.period:
                out.append(entity("period", m.period, m.start, m.end, text))
            if m.vat:
                out.append(entity("vat", m.vat, m.start, m.end, text))
        if not any(m.vat for m in amounts):
            vat = parse_vat_status(text)
            if vat is not None:
                out.append(entity("vat", vat.value, vat.start, vat.end, text))
        return out
