"""The rule module: pure Python, no Rasa, no clock, no network. See DESIGN.md."""
from .engine import assess
from .knowledge import Knowledge, KnowledgeError, load_knowledge
from .model import Assessment, Case, CaseError, Item

__all__ = ["assess", "Assessment", "Case", "CaseError", "Item", "Knowledge", "KnowledgeError", "load_knowledge"]
