"""Rasa input/output channels for the Light Touch Assistant.

Each module holds one channel and the fixes it needs on top of the stock Rasa 3.6 class;
credentials.yml names them by dotted path (for example `bot.channels.socketio.SecureSocketIOInput`).
Nothing here runs at import time.
"""
