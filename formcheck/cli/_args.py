"""Argument types shared by every command: numbers checked where they are read.

A value out of range gets argparse's usage line naming the option (``argument
--jobs: must be from 1 to 256, got '0'``), never an error from deep inside a
run. This module imports nothing heavy: the parser is built before any
command starts.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

#: Most processes one command may start (``--jobs``): far more than any
#: machine here has cores, few enough that a typo cannot start thousands of
#: pose models.
MAX_JOBS = 256


def number_in(lo: float, hi: float) -> Callable[[str], float]:
    """An argparse type: a finite number from ``lo`` to ``hi``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number, got {text[:20]!r}"
            ) from None
        if not (math.isfinite(value) and lo <= value <= hi):
            raise argparse.ArgumentTypeError(
                f"must be from {lo:g} to {hi:g}, got {text[:20]!r}"
            )
        return value

    parse.__name__ = "number"
    return parse


def whole_in(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {text[:20]!r}"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"must be from {lo} to {hi}, got {text[:20]!r}"
            )
        return value

    parse.__name__ = "whole number"
    return parse


#: ``--jobs``: processes to start.
jobs_count = whole_in(1, MAX_JOBS)
