"""lecture-kg: a knowledge graph of lectures and the concepts they teach."""

__version__ = "0.1.0"
