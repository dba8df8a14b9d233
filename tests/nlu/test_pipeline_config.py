"""The five components in a Rasa 3.6 pipeline: the graph validates, they are prediction-only
nodes, and their fingerprints follow the parser sources."""
import shutil
from pathlib import Path

import pytest
import rasa.engine.validation
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.data import TrainingType

from bot.nlu import _common
from bot.nlu.date_extractor import DateExtractor
from bot.nlu.duration_extractor import DurationExtractor
from bot.nlu.facts_extractor import FactsExtractor
from bot.nlu.money_extractor import MoneyExtractor
from bot.nlu.service_extractor import ServiceExtractor

COMPONENTS = [MoneyExtractor, DurationExtractor, DateExtractor, ServiceExtractor, FactsExtractor]
NAMES = [f"{c.__module__}.{c.__name__}" for c in COMPONENTS]


@pytest.fixture(scope="module")
def model_configuration(tmp_path_factory):
    from bot.nlu.build_spacy import build

    spacy_path = build(tmp_path_factory.mktemp("spacy") / "blank")
    config = {
        "recipe": "default.v1",
        "language": "en",
        "assistant_id": "test",
        "pipeline": [{"name": "SpacyNLP", "model": str(spacy_path)}, {"name": "SpacyTokenizer"}]
        + [{"name": n} for n in NAMES]
        + [{"name": "CountVectorsFeaturizer"}, {"name": "DIETClassifier", "epochs": 1}],
        "policies": [],
    }
    return DefaultV1Recipe().graph_config_for_recipe(config, {}, training_type=TrainingType.NLU)


def test_graph_validates(model_configuration):
    # Fails with GraphSchemaValidationException if a component is registered without model_from="SpacyNLP".
    rasa.engine.validation.validate(model_configuration)


def test_components_run_at_prediction_and_are_not_trained(model_configuration):
    # Not trainable, so not in the training graph at all: Rasa builds them from the current code
    # whenever it loads a model, and an edited parser takes effect without retraining.
    predict = model_configuration.predict_schema.nodes
    train = model_configuration.train_schema.nodes
    for name in NAMES:
        nodes = [node for n, node in predict.items() if n.startswith(f"run_{name}")]
        assert len(nodes) == 1
        assert nodes[0].fn == "process"
        assert nodes[0].needs["model"].startswith("provide_SpacyNLP")
        assert not any(name in n for n in train)


def test_registered_as_entity_extractors():
    for c in COMPONENTS:
        registered = DefaultV1Recipe._from_registry(c.__name__)
        assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
        assert registered.model_from == "SpacyNLP" and not registered.is_trainable
        assert c.required_components() == [SpacyNLP]


def test_fingerprint_changes_when_a_parser_or_the_catalogue_changes(tmp_path):
    bot = Path(_common.__file__).resolve().parent.parent
    copy = tmp_path / "bot"
    shutil.copytree(bot / "text", copy / "text", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(bot / "nlu", copy / "nlu", ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "ltr" / "knowledge").mkdir(parents=True)
    shutil.copy(bot / "ltr" / "knowledge" / "services.yml", copy / "ltr" / "knowledge" / "services.yml")
    args = ("nlu/service_extractor.py", "ltr/knowledge/services.yml")

    before = _common.source_fingerprint(*args, root=copy)
    assert _common.source_fingerprint(*args, root=copy) == before  # stable
    with open(copy / "text" / "money.py", "a") as f:
        f.write("\n# edited\n")
    after_parser = _common.source_fingerprint(*args, root=copy)
    with open(copy / "ltr" / "knowledge" / "services.yml", "a") as f:
        f.write("\n# edited\n")
    after_catalogue = _common.source_fingerprint(*args, root=copy)
    assert len({before, after_parser, after_catalogue}) == 3


def test_fingerprint_addon_is_set_for_every_component():
    for c in COMPONENTS:
        addon = c.fingerprint_addon(c.get_default_config())
        assert isinstance(addon, str) and len(addon) == 64


def test_blank_pipeline_loads_through_spacy_nlp(tmp_path, make):
    from bot.nlu.build_spacy import build

    nlp = make(SpacyNLP, model=str(build(tmp_path / "blank")))
    doc = nlp.provide().model("£1.2m home care")
    assert [t.text for t in doc] == ["£", "1.2", "m", "home", "care"]


def test_one_message_through_all_five(run, make, values):
    """The issue's one-shot question: everything needed for an assessment, in one message."""
    text = ("does LTR apply to a £700k home care contract starting next April? "
            "4 years plus 2 one-year extensions, we're a London borough and there's no interest from abroad")
    msg = run(text, *[make(c, **({"today": "2026-11-26"} if c is DateExtractor else {})) for c in COMPONENTS])
    assert values(msg, "amount") == [700_000.0]
    assert values(msg, "duration") == [{"years": 4.0, "extension_years": 2.0}]
    assert values(msg, "commenced") == ["2027-04-01"]
    assert values(msg, "service") == ["home_care"]
    assert values(msg, "buyer") == ["sub_central"]
    assert values(msg, "cross_border") == ["no"]
