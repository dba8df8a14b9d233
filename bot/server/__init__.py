"""What runs in the Rasa process, and what starts it (the action server's code is `actions/` and `bot/assistant`):

- `channels/`    the channels officers reach: `socketio` (the web widget, its files and decision records) and
                 `rest` (bearer token, sender checks, health); credentials.yml names them
- `guard`        one input gate for every channel; a reply instead of silence when the action server fails;
                 bounded turns ("busy" at once rather than a time-out)
- `limits`       request size and time limits, JSON error answers with error ids, the message cap (both servers)
- `store`        the tracker store (SQLite, or PostgreSQL by DATABASE_URL): writes off the event loop, loud
                 failures, retention, stored answers
- `intents`      the intent classifier in config.yml (logistic regression on n-gram counts; no TensorFlow)
- `speedups`     fixes for Rasa 3.6 work repeated on every turn; `python -m bot.server.speedups run ...` is
                 `rasa run` without TensorFlow imported
- `supervisor`   `make run`: starts the action server and Rasa on loopback, pings and restarts them, stops both
- `cluster`      `make run-cluster`: PostgreSQL, Redis, two Rasa instances and nginx in front (docs/scale-out.md)
"""
