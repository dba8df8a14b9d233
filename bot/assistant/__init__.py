"""The conversation, run by the action server (through `actions/`); tested without Rasa:

- `dialogue`     one turn as a pure function of a JSON state and the message: merges the facts `bot.text.reader`
                 finds, corrects, decides between the FAQ and an assessment, asks what can change the answer
- `questions`    which question can still change the answer (the engine decides), and how to ask it
- `understood`   "what I understood": each fact of the answer with its source and a Change button
- `faq`, `similarity`   general questions answered from the knowledge base
- `followups`    "tell me more about <route>" and the other questions about an answer
- `reply`        one message of a reply

What runs in the Rasa process is in `bot/server`. Nothing here decides anything legal: that is `bot.ltr`.
"""
