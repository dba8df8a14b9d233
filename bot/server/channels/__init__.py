"""Rasa input/output channels, one module each, with the fixes they need on top of the stock Rasa 3.6 classes.
credentials.yml names them by dotted path (for example `bot.server.channels.socketio.SecureSocketIOInput`).
Nothing here runs at import time.
"""
