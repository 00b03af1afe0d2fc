"""Report sub-commands (metrics, flags) registered on the main parser."""

from __future__ import annotations

import argparse
from collections.abc import Callable

AddCommand = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(add: AddCommand) -> None:
    """Report commands are added here as they are built."""
