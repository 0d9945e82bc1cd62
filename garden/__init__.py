"""garden: a static-site generator for a linked digital garden of notes."""

__version__ = "0.1.0"
