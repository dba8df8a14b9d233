"""Real rasa_sdk `Tracker` and `CollectingDispatcher` objects, and the real domain (domain.yml)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 26)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> date:
    # The actions pass today's date to the engine; tests pin it.
    monkeypatch.setenv("LTR_TODAY", TODAY.isoformat())
    return TODAY


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return Domain.load(str(ROOT / "domain.yml")).as_dict()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def slot_names(domain) -> list[str]:
    return list(domain["slots"])


@pytest.fixture
def tracker(slot_names) -> Callable[..., Tracker]:
    """tracker(slots={...}, text=..., intent=..., entities=[...], events=[...], new_slots={...}, active_loop=...)

    `new_slots` are appended as slot events after the user message, as `action_extract_slots` does,
    so a FormValidationAction sees them as the values to validate."""

    def _make(
        slots: Optional[dict[str, Any]] = None,
        text: str = "",
        intent: str = "inform",
        entities: Optional[list[dict[str, Any]]] = None,
        events: Optional[list[dict[str, Any]]] = None,
        new_slots: Optional[dict[str, Any]] = None,
        active_loop: Optional[str] = None,
    ) -> Tracker:
        values = {name: None for name in slot_names}
        values.update(slots or {})
        values.update(new_slots or {})
        latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
        history = list(events or [])
        history.append({"event": "user", "text": text, "parse_data": latest})
        history += [{"event": "slot", "name": k, "value": v} for k, v in (new_slots or {}).items()]
        return Tracker(
            sender_id="test",
            slots=values,
            latest_message=latest,
            events=history,
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return _make
