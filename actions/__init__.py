"""Custom actions. Importing the package loads and validates the knowledge
data, so a broken knowledge file stops the action server at start-up."""
from support.knowledge import knowledge as _knowledge

_knowledge()
