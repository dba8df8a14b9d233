"""Rasa input/output channels, one module each, with the fixes they need on top of the stock Rasa 3.6 classes.
credentials.yml names the channels that are always on (REST and the widget's socket.io) by dotted path.
Teams and Slack are on only when their settings are in the environment: `credentials_for(env)` adds them to a
copy of credentials.yml that the supervisor gives Rasa. Their secrets stay in the environment; the channels
read them there. Nothing here runs at import time.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import yaml

# Channel class (as credentials.yml names it) -> (its name for people, its webhook path, the settings that
# turn it on: all of them are needed).
OPTIONAL_CHANNELS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "bot.server.channels.teams.TeamsInput": (
        "Teams", "/webhooks/teams/webhook", ("TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "TEAMS_TENANT_ID")),
    "bot.server.channels.slack.SlackInput": (
        "Slack", "/webhooks/slack/webhook", ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")),
}


def settings_needed(channel: str) -> tuple[str, ...]:
    """The environment variables a channel needs (the channels check them when Rasa builds them)."""
    return OPTIONAL_CHANNELS[channel][2]


def optional_channels(env: Mapping[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """([(name, webhook path) of the channels that are on], [a note on each one that is off, saying why])."""
    on: list[tuple[str, str]] = []
    off: list[str] = []
    for name, webhook, needs in OPTIONAL_CHANNELS.values():
        missing = [k for k in needs if not env.get(k, "").strip()]
        if not missing:
            on.append((name, webhook))
        elif len(missing) < len(needs):  # half set up: say what is missing rather than stay quiet
            off.append(f"{name} is off: {', '.join(missing)} not set")
        else:
            off.append(f"{name} is off (set {', '.join(needs)} to turn it on)")
    return on, off


def credentials_for(base: Path, out: Path, env: Mapping[str, str]) -> Path:
    """credentials.yml plus the optional channels whose settings are all present, written to `out`."""
    creds = yaml.safe_load(base.read_text(encoding="utf-8")) or {}
    for path, (_, _, needs) in OPTIONAL_CHANNELS.items():
        if all(env.get(k, "").strip() for k in needs):
            creds.setdefault(path, {})
    out.write_text("# Written by the supervisor from credentials.yml and the environment; do not edit.\n"
                   + yaml.safe_dump(creds, sort_keys=False), encoding="utf-8")
    return out
