"""The Teams app package (`make teams-app`, deploy/teams/build.py): a zip with manifest.json and the two icons at
its root, as Teams requires (Microsoft's app manifest schema 1.17: colour icon 192x192, outline icon 32x32,
https URLs, the bot's id equal to the app id)."""
from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("teams_app_build", ROOT / "deploy" / "teams" / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)  # type: ignore[union-attr]

APP_ID = "0a1b2c3d-1111-2222-3333-444455556666"
ENV = {"TEAMS_APP_ID": APP_ID, "LTA_PUBLIC_URL": "https://lta.example.gov.uk/"}


def test_the_package_holds_the_manifest_and_icons_at_its_root(tmp_path):
    out = build.build(ENV, tmp_path / "teams-app.zip")
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        m = json.loads(z.read("manifest.json"))
        (tmp_path / "color.png").write_bytes(z.read("color.png"))
        (tmp_path / "outline.png").write_bytes(z.read("outline.png"))
    assert m["manifestVersion"] == "1.17" and m["id"] == APP_ID
    assert [b["botId"] for b in m["bots"]] == [APP_ID]
    assert m["validDomains"] == ["lta.example.gov.uk"]
    assert m["developer"]["websiteUrl"] == "https://lta.example.gov.uk/"
    assert build.png_size(tmp_path / "color.png") == (192, 192)
    assert build.png_size(tmp_path / "outline.png") == (32, 32)


@pytest.mark.parametrize("env, complaint", [
    ({"LTA_PUBLIC_URL": "https://lta.example.gov.uk"}, "TEAMS_APP_ID"),
    ({**ENV, "TEAMS_APP_ID": "not-a-guid"}, "TEAMS_APP_ID"),
    ({**ENV, "LTA_PUBLIC_URL": "http://lta.example.gov.uk"}, "LTA_PUBLIC_URL"),
    ({**ENV, "TEAMS_PRIVACY_URL": "javascript:alert(1)"}, "TEAMS_PRIVACY_URL"),
])
def test_bad_settings_are_refused_before_anything_is_written(tmp_path, env, complaint):
    with pytest.raises(build.PackageError, match=complaint):
        build.build(env, tmp_path / "teams-app.zip")
    assert not (tmp_path / "teams-app.zip").exists()


def test_a_value_cannot_change_the_manifests_structure(tmp_path):
    sneaky = 'https://lta.example.gov.uk/privacy", "id": "hijacked'
    m = build.manifest({**ENV, "TEAMS_PRIVACY_URL": sneaky})
    assert m["id"] == APP_ID and m["developer"]["privacyUrl"] == sneaky
