"""Custom actions for the Light Touch Assistant (run by `rasa run actions`).

Thin adapters only: tracker -> Case -> `bot.ltr.assess` -> `bot.render`. No legal logic lives here.
"""
