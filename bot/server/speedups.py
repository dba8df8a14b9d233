"""Runs inside the Rasa server: work Rasa 3.6 repeats on every turn, done once; TensorFlow left out.

- `RemoteAction._validate_action_result` calls `jsonschema.validate(result, schema)`, which validates
  the (constant) schema itself against the JSON Schema meta-schema before validating the action
  server's reply. Measured with cProfile on this assistant: about 140 ms of every action call on a
  2-core machine, three quarters of a form turn. `install()` keeps the same check on the reply with
  a validator built once, and the same error when a reply is malformed.
- `Event.resolve_by_type` walks every subclass of `Event` (recursively) for each stored event it
  reads back: 5.5 ms to rebuild a 41-event conversation, against 0.2 ms once the class of each type
  name is remembered (bench/profile.py). It runs on every message read from the database and for
  every event an action returns. Only found classes are remembered; unknown names go to Rasa's own.

TensorFlow: the model has no TensorFlow component (config.yml: bot.server.intents), but Rasa 3.6 imports
TensorFlow on every start all the same, by two paths (found with `python -X importtime` and an import hook):
1. at import: `rasa.core.agent` -> policies -> featurizers -> `rasa.nlu.extractors.extractor` ->
   `rasa.utils.train_utils` -> `rasa.utils.tensorflow.callback` -> tensorflow;
2. at model load: the model's metadata holds its *training* graph too, and reading it imports every class
   in it, among them the training-time validator, which imports DIET, TED and ResponseSelector.
That costs seconds of start-up and a few hundred MB of memory (bench/profile.py --startup). `defer_tensorflow()`
1. puts a stand-in for `rasa.utils.train_utils` in `sys.modules`: every `import` of it succeeds, and the first
   use of anything in it imports the real module, TensorFlow included;
2. reads a loaded model's training graph only when something asks for it (a server never does; training
   builds its own from config.yml).
So a model with DIET or TED still loads and runs, only with TensorFlow imported later. It must run before
Rasa's own imports, so it is done by this module's entry point, which is `rasa` with that one difference:

    python -m bot.server.speedups run --model models/assistant.tar.gz ...     (same arguments as `rasa`)

Nothing here imports Rasa at module level, so the entry point runs before Rasa is imported.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from functools import lru_cache
from typing import Any, Dict, Optional, Text

# ---- TensorFlow left out until something needs it ---------------------------------------------------
# The one module through which Rasa's run path imports TensorFlow (checked with `python -X importtime`).
DEFERRED_MODULES = ("rasa.utils.train_utils",)
_load_lock = threading.RLock()


class DeferredModule(types.ModuleType):
    """Stands in for a module in sys.modules until one of its own attributes is used, then imports it."""

    def __getattr__(self, attr: str) -> Any:  # only for names not already here (module dunders are)
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)  # e.g. __path__: probed by tools walking sys.modules; not worth a load
        return getattr(_load(self), attr)


def _load(stand_in: DeferredModule) -> types.ModuleType:
    name = stand_in.__name__
    with _load_lock:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
            real = importlib.import_module(name)  # also points the parent package's attribute at it
            stand_in.__dict__.update(real.__dict__)  # for code that holds the stand-in itself
            return real
    return sys.modules[name]


def _deferred_graph_schema(serialized: Dict[Text, Any]) -> Any:
    from rasa.engine.graph import GraphSchema

    class DeferredGraphSchema(GraphSchema):
        """A model's graph schema, its component classes imported on first use (`nodes`)."""

        def __init__(self, serialized: Dict[Text, Any]) -> None:  # noqa: no dataclass __init__: nothing read yet
            self._serialized: Optional[Dict[Text, Any]] = serialized
            self._nodes: Optional[Dict[Text, Any]] = None

        @property  # type: ignore[override]
        def nodes(self) -> Dict[Text, Any]:
            if self._nodes is None:
                self._nodes = GraphSchema.from_dict(self._serialized or {"nodes": {}}).nodes
                self._serialized = None
            return self._nodes

        def __eq__(self, other: object) -> bool:
            return isinstance(other, GraphSchema) and self.nodes == other.nodes

        __hash__ = None  # type: ignore[assignment]  # as GraphSchema's (an unfrozen dataclass)

    return DeferredGraphSchema(serialized)


def _defer_training_graph() -> None:
    from rasa.engine.storage.storage import ModelMetadata

    if getattr(ModelMetadata.from_dict, "_lta_deferred", False):
        return
    rasa_from_dict = ModelMetadata.from_dict.__func__  # type: ignore[attr-defined]

    def from_dict(cls: Any, serialized: Dict[Text, Any]) -> Any:
        metadata = rasa_from_dict(cls, {**serialized, "train_schema": {"nodes": {}}})
        metadata.train_schema = _deferred_graph_schema(serialized["train_schema"])
        return metadata

    from_dict._lta_deferred = True  # type: ignore[attr-defined]
    ModelMetadata.from_dict = classmethod(from_dict)  # type: ignore[method-assign, assignment]


def defer_tensorflow() -> bool:
    """Keeps TensorFlow out of the process until something uses it (see the module's docstring). False if a
    deferred module was already imported (too late: TensorFlow is then in the process anyway) or not found."""
    _defer_training_graph()
    done = True
    for name in DEFERRED_MODULES:
        if name in sys.modules:
            done = done and isinstance(sys.modules[name], DeferredModule)
            continue
        spec = importlib.util.find_spec(name)  # imports the parent packages (light), not the module
        if spec is None:
            return False
        stand_in = DeferredModule(name)
        stand_in.__spec__ = spec
        stand_in.__loader__ = spec.loader
        stand_in.__file__ = spec.origin
        stand_in.__package__ = spec.parent
        sys.modules[name] = stand_in
    return done


def deferred_loaded() -> Dict[str, bool]:
    """For each deferred module: has the real one been imported since?"""
    return {n: not isinstance(sys.modules.get(n), DeferredModule) for n in DEFERRED_MODULES}


def run_rasa(argv: Optional[list[str]] = None) -> None:
    """`rasa` with TensorFlow deferred: `python -m bot.server.speedups run ...` takes `rasa run`'s arguments."""
    defer_tensorflow()
    from rasa.__main__ import main

    sys.argv = ["rasa", *(sys.argv[1:] if argv is None else argv)]
    main()


# ---- per-turn work done once ------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)  # once per process instead of once per call
    return cls(schema)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
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
_rasa_resolve_by_type: Any = None


def _resolve_by_type(type_name: Text, default: Any = None) -> Any:
    cls = _EVENT_CLASSES.get(type_name)
    if cls is None:
        cls = _rasa_resolve_by_type(type_name, default)
        if cls is not None and getattr(cls, "type_name", None) == type_name:
            _EVENT_CLASSES[type_name] = cls
    return cls


def install() -> None:
    global _rasa_resolve_by_type
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    if _rasa_resolve_by_type is None:
        _rasa_resolve_by_type = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(_resolve_by_type)  # type: ignore[assignment]


if __name__ == "__main__":
    # Through the package's module, not this __main__ copy: the stand-ins must be of the class that
    # `bot.server.speedups` (imported later by the channels) knows.
    from bot.server.speedups import run_rasa as _run

    _run()
