"""The conversation, kept out of `actions/` so it can be tested without a tracker:

- `dialogue`     one turn of the conversation as a pure function of a JSON state and the message: merges the
                 facts `bot.text.reader` finds, decides what to ask next or answers (runs in the action server)
- `questions`    which question can still change the answer (the engine decides), and how to ask it
- `understood`   "what I understood": each fact of the answer with its source and a Change button
- `faq`          general questions answered from the knowledge base
- `followups`    "tell me more about <route>" and the other questions about an answer
- `guard`, `rest`, `store`, `servers`, `speedups`   run in the Rasa process or start it (not the action server)

Nothing here decides anything legal: that is `bot.ltr`.
"""
