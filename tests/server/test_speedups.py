"""bot.server.speedups.defer_tensorflow: Rasa's run path without TensorFlow, and TensorFlow still there for
whatever needs it. Each check runs in a fresh interpreter (sys.modules is the thing under test)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore", "RASA_TELEMETRY_ENABLED": "false",
       "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}

# A model's metadata as Rasa writes it: the training graph names Rasa's recipe validator, which imports DIET,
# TED and ResponseSelector (so TensorFlow); the prediction graph names only this assistant's classifier.
METADATA = textwrap.dedent("""
    import datetime
    def node(uses, fn):
        return {"needs": {}, "uses": uses, "constructor_name": "create", "fn": fn, "config": {}, "eager": False,
                "is_target": False, "is_input": False, "resource": None}
    METADATA = {
        "trained_at": datetime.datetime(2026, 1, 1).isoformat(), "rasa_open_source_version": "3.6.21",
        "model_id": "m", "assistant_id": "a", "domain": {},
        "train_schema": {"nodes": {"schema_validator": node(
            "rasa.graph_components.validators.default_recipe_validator.DefaultV1RecipeValidator", "validate")}},
        "predict_schema": {"nodes": {"intents": node("bot.server.intents.LinearIntentClassifier", "process")}},
        "training_type": 3, "project_fingerprint": "f", "core_target": None, "nlu_target": "n", "language": "en",
    }
""")


def run(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=ENV, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_rasas_server_modules_import_without_tensorflow() -> None:
    out = run("""
        import sys
        from bot.server import speedups
        assert speedups.defer_tensorflow()
        import rasa.__main__, rasa.core.run, rasa.core.agent, rasa.core.processor
        import bot.server.channels.rest, bot.server.channels.socketio, bot.server.store, bot.server.intents
        print("tensorflow" in sys.modules, speedups.deferred_loaded())
    """)
    assert out.split()[0] == "False", out


def test_without_the_shim_rasa_imports_tensorflow() -> None:
    """Why the shim exists: if Rasa stops importing TensorFlow on its own, this fails and the shim can go."""
    out = run("""
        import sys
        import rasa.core.agent
        print("tensorflow" in sys.modules)
    """)
    assert out.strip() == "True"


def test_a_models_training_graph_is_read_only_when_asked_for() -> None:
    out = run(METADATA + textwrap.dedent("""
        import sys
        from bot.server import speedups
        speedups.defer_tensorflow()
        from rasa.engine.storage.storage import ModelMetadata
        from bot.server.intents import LinearIntentClassifier
        m = ModelMetadata.from_dict(METADATA)
        assert m.predict_schema.nodes["intents"].uses is LinearIntentClassifier
        print("tensorflow" in sys.modules)
        nodes = m.train_schema.nodes  # asked for: read now, TensorFlow and all
        print(nodes["schema_validator"].uses.__name__, "tensorflow" in sys.modules)
        print(m.as_dict()["train_schema"]["nodes"]["schema_validator"]["uses"])
    """))
    before, after, serialised = out.strip().splitlines()
    assert before == "False"
    assert after == "DefaultV1RecipeValidator True"
    assert serialised.endswith("default_recipe_validator.DefaultV1RecipeValidator")


def test_the_deferred_module_works_when_used() -> None:
    out = run("""
        import sys
        from bot.server import speedups
        speedups.defer_tensorflow()
        import rasa.utils.train_utils as held  # the stand-in
        from rasa.utils import train_utils
        print("tensorflow" in sys.modules)
        # first use: the real module, TensorFlow too
        print(held.update_similarity_type({"similarity_type": "auto", "loss_type": "cross_entropy"}))
        print("tensorflow" in sys.modules, train_utils.update_similarity_type is held.update_similarity_type,
              speedups.deferred_loaded())
        import rasa.utils.train_utils
        print(sys.modules["rasa.utils.train_utils"].update_similarity_type is held.update_similarity_type)
    """)
    lines = out.strip().splitlines()
    assert lines[0] == "False"
    assert lines[1] == "{'similarity_type': 'inner', 'loss_type': 'cross_entropy'}"
    assert lines[2] == "True True {'rasa.utils.train_utils': True}"
    assert lines[3] == "True"


def test_too_late_is_reported() -> None:
    out = run("""
        import rasa.utils.train_utils
        from bot.server import speedups
        print(speedups.defer_tensorflow())
    """)
    assert out.strip() == "False"


def test_the_entry_point_is_rasas_command_line() -> None:
    r = subprocess.run([sys.executable, "-m", "bot.server.speedups", "--version"], cwd=ROOT, env=ENV,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Rasa Version      :         3.6" in r.stdout
