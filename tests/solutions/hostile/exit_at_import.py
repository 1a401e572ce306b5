"""Hostile: ends the process at import, hoping a silent exit 0 reads as a pass."""
import sys

sys.exit(0)
