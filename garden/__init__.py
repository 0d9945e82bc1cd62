"""garden: a static-site generator for a linked digital garden of notes."""

from garden.core.version import DISTRIBUTION, VERSION

__version__ = VERSION
__all__ = ["DISTRIBUTION", "__version__"]
