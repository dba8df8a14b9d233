"""Training mode: scenario questions whose answers, working and legal references come from the rule engine.

Pure Python, no Rasa: `bank` reads the scenarios (facts only, dates relative to the day of the quiz), `questions`
makes one question from one scenario with the engine, `session` is the quiz as a state machine over a JSON-able
dict (the `quiz` slot), `report` turns a finished or running quiz into rows, HTML and CSV for trainers.
"""
from .bank import KINDS, LEVELS, Bank, QuizError, Scenario, load_bank
from .questions import Question, build
from .session import Msg, active, handle, is_state, progress, start

__all__ = ["KINDS", "LEVELS", "Bank", "Msg", "Question", "QuizError", "Scenario", "active", "build", "handle", "is_state",
           "load_bank", "progress", "start"]
