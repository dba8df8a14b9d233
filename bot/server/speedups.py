"""Runs inside the Rasa server: work Rasa 3.6 repeats on every turn, done once.

- `RemoteAction._validate_action_result` calls `jsonschema.validate(result, schema)`, which validates
  the (constant) schema itself against the JSON Schema meta-schema before validating the action
  server's reply. Measured with cProfile on this assistant: about 140 ms of every action call on a
  2-core machine, three quarters of a form turn. `install()` keeps the same check on the reply with
  a validator built once, and the same error when a reply is malformed.
- `Event.resolve_by_type` walks every subclass of `Event` (recursively) for each stored event it
  reads back: 5.5 ms to rebuild a 41-event conversation, against 0.2 ms once the class of each type
  name is remembered (bench/profile.py). It runs on every message read from the database and for
  every event an action returns. Only found classes are remembered; unknown names go to Rasa's own.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once per process instead of once per call
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match

    error = best_match(_validator().iter_errors(result))
    if error is not None:
        assert isinstance(error, ValidationError)
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            "Action endpoint is valid."
        )
        raise error
    return True


_EVENT_CLASSES: Dict[Text, Any] = {}


def _resolve_by_type(type_name: Text, default: Any = None) -> Any:
    cls = _EVENT_CLASSES.get(type_name)
    if cls is None:
        cls = _rasa_resolve_by_type(type_name, default)
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            _EVENT_CLASSES[type_name] = cls
    return cls


_rasa_resolve_by_type = Event.resolve_by_type


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[assignment]
