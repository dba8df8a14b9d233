"""The REST channel (`POST /webhooks/rest/webhook`), as the stock one, plus the reply guards.

credentials.yml:

    bot.assistant.rest.GuardedRestInput: {}

Building the channel installs, for the whole server (every channel):
- `bot.assistant.guard`: "I can't work that out right now, please try again." rather than silence
  when the action server is down, and a polite reply to oversized or HTML messages;
- `bot.assistant.speedups`: the action server's replies checked without re-checking the schema
  each time (most of the time of a turn otherwise).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput

from . import guard, speedups


class GuardedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        guard.install()
        speedups.install()
        return cls()
