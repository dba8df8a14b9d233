"""The conversation's glue, kept out of `actions/` so it can be tested without a tracker:

- `case_from_slots`  form slots (entity values as the extractors in `bot.nlu` produce them) -> Case dict
- `questions`        which of the form's questions can still change the answer, and how to ask them
- `similarity`       a small TF-IDF index used to pick FAQ entries and routes from an officer's words
- `faq`              FAQ entries of the knowledge base, matched to a question and rendered with references
- `followups`        "tell me more about <route>" and the other questions about an answer
- `guard`            runs inside the Rasa server: never silence when the action server fails, polite
                     replies to oversized or HTML input

Nothing here decides anything legal: that is `bot.ltr`.
"""
