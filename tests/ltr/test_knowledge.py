"""The knowledge files load, validate, and fail loudly (file, entry, field) when malformed."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.ltr.knowledge import FILES, KNOWLEDGE_DIR, KnowledgeError, load_knowledge, load_knowledge_from


def test_every_entry_has_a_reference_a_source_and_a_verified_flag():
    kb = load_knowledge()
    groups = [kb.thresholds, kb.categories, kb.services, kb.obligations, kb.faq, tuple(kb.dates.values())]
    for group in groups:
        for entry in group:
            assert entry.ref.strip(), entry
            assert isinstance(entry.verified, bool), entry
            assert hasattr(entry, "source"), entry
    for route in kb.routes:
        assert route.ref_pcr or route.ref_pa or route.ref_psr, route.id


def test_route_ids_are_the_reference_ids():
    ids = {r.id for r in load_knowledge().routes}
    for rid in ("R-BESPOKE", "R-NOMINTIME", "R-COPRODUCE", "R-LT-FRAMEWORK", "R-USERCHOICE", "R-MUTUAL", "R-MOD-LT",
                "R-OPEN-FW", "R-DYN-MKT", "R-SPLIT", "R-PSR-DA-C", "R-PSR-MSP", "R-PSR-COMP"):
        assert rid in ids


def test_a_missing_field_names_file_entry_and_field(kb_copy: Path, edit_kb):
    edit_kb("thresholds.yml", lambda d: d["entries"][0].pop("ref"))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge_from(kb_copy)
    msg = str(err.value)
    assert "thresholds.yml" in msg and "PCR-LT-2015" in msg and "'ref'" in msg


def test_a_bad_cpv_code_names_file_entry_and_field(kb_copy: Path, edit_kb):
    def change(d):
        d["entries"][0]["cpv"] = "8531200"
    edit_kb("services.yml", change)
    with pytest.raises(KnowledgeError) as err:
        load_knowledge_from(kb_copy)
    msg = str(err.value)
    assert "services.yml" in msg and "home_care" in msg and "'cpv'" in msg


def test_an_unknown_field_is_rejected(kb_copy: Path, edit_kb):
    def change(d):
        d["entries"][1]["amount"] = 1
    edit_kb("thresholds.yml", change)
    with pytest.raises(KnowledgeError, match=r"thresholds.yml: entry PCR-LT-2016: field 'amount'"):
        load_knowledge_from(kb_copy)


def test_a_bad_applies_pattern_is_rejected(kb_copy: Path, edit_kb):
    def change(d):
        d["entries"][0]["applies"] = ["PA2023/lighttouch/above"]
    edit_kb("routes.yml", change)
    with pytest.raises(KnowledgeError, match=r"routes.yml: entry R-BESPOKE: field 'applies'"):
        load_knowledge_from(kb_copy)


def test_invalid_yaml_names_the_file(kb_copy: Path):
    (kb_copy / "faq.yml").write_text("entries: [unclosed", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"^faq.yml: not valid YAML"):
        load_knowledge_from(kb_copy)


def test_rules_version_changes_when_a_file_changes(kb_copy: Path, edit_kb):
    before = load_knowledge_from(kb_copy).rules_version
    edit_kb("faq.yml", lambda d: d["entries"][0].update(answer="changed"))
    after = load_knowledge_from(kb_copy).rules_version
    assert before != after
    latest = max(yaml.safe_load((kb_copy / n).read_text(encoding="utf-8"))["meta"]["reviewed"] for n in FILES)
    assert before.split("+")[0] == after.split("+")[0] == latest.isoformat()
