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
from typing import TypeVar

#: Most processes one command may start (``--jobs``): far more than any
#: machine here has cores, few enough that a typo cannot start thousands of
#: pose models.
MAX_JOBS = 256


N = TypeVar("N", int, float)


def _in_range(
    convert: Callable[[str], N], kind: str, lo: N, hi: N
) -> Callable[[str], N]:
    """An argparse type: ``convert(text)``, finite and from ``lo`` to ``hi``."""

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {kind}, got {text[:20]!r}"
            ) from None
        if not (math.isfinite(value) and lo <= value <= hi):
            raise argparse.ArgumentTypeError(
                f"must be from {_plain(lo)} to {_plain(hi)}, got {text[:20]!r}"
            )
        return value

    parse.__name__ = kind.removeprefix("a ")
    return parse


def _plain(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def number_in(lo: float, hi: float) -> Callable[[str], float]:
    """An argparse type: a finite number from ``lo`` to ``hi``."""
    return _in_range(float, "a number", float(lo), float(hi))


def whole_in(lo: int, hi: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``lo`` to ``hi``."""
    return _in_range(int, "a whole number", lo, hi)


#: ``--jobs``: processes to start.
jobs_count = whole_in(1, MAX_JOBS)
