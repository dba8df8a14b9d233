"""Teams and Slack are on only when all their settings are in the environment, and never put a secret in the
credentials file that Rasa reads."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.server.channels import credentials_for, optional_channels

ROOT = Path(__file__).resolve().parents[3]
TEAMS = {"TEAMS_APP_ID": "00000000-0000-0000-0000-000000000001", "TEAMS_APP_PASSWORD": "pw-secret",
         "TEAMS_TENANT_ID": "00000000-0000-0000-0000-000000000002"}
SLACK = {"SLACK_BOT_TOKEN": "xoxb-secret", "SLACK_SIGNING_SECRET": "signing-secret"}


def channels_in(tmp_path: Path, env: dict[str, str]) -> dict:
    return yaml.safe_load(credentials_for(ROOT / "credentials.yml", tmp_path / "c.yml", env).read_text())


def test_no_settings_means_only_rest_and_the_widget(tmp_path: Path) -> None:
    assert channels_in(tmp_path, {}) == yaml.safe_load((ROOT / "credentials.yml").read_text())
    on, off = optional_channels({})
    assert on == []
    assert any("Teams is off" in n and "TEAMS_TENANT_ID" in n for n in off)
    assert any("Slack is off" in n and "SLACK_SIGNING_SECRET" in n for n in off)


def test_each_channel_is_on_with_all_its_settings(tmp_path: Path) -> None:
    creds = channels_in(tmp_path, {**TEAMS, **SLACK})
    assert "bot.server.channels.teams.TeamsInput" in creds
    assert "bot.server.channels.slack.SlackInput" in creds
    assert [name for name, _ in optional_channels({**TEAMS, **SLACK})[0]] == ["Teams", "Slack"]
    text = (tmp_path / "c.yml").read_text()
    for secret in [*TEAMS.values(), *SLACK.values()]:
        assert secret not in text


def test_a_half_set_up_channel_stays_off_and_says_what_is_missing(tmp_path: Path) -> None:
    env = {"TEAMS_APP_ID": "x", "TEAMS_APP_PASSWORD": "y", "SLACK_BOT_TOKEN": " "}
    creds = channels_in(tmp_path, env)
    assert "bot.server.channels.teams.TeamsInput" not in creds
    assert "bot.server.channels.slack.SlackInput" not in creds
    on, off = optional_channels(env)
    assert on == []
    assert "Teams is off: TEAMS_TENANT_ID not set" in off
