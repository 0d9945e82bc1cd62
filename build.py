#!/usr/bin/env python3
"""Build the garden: `python build.py [build|check|new|serve] ...` (see README.md)."""

import sys

from garden.cli import main

if __name__ == "__main__":
    sys.exit(main())
