"""Causal smoothing for live and offline signals.

formcheck smooths every signal used for counting with a vectorised One Euro
filter (Casiez, Roussel & Vogel, 2012): it is causal (uses only past frames,
so live feedback and offline analysis see the same values), adapts its cut-off
to speed (little lag on fast moves, strong smoothing at rest), and takes
timestamps rather than a fixed rate, so dropped frames do not change it.
NaN input (a hidden landmark) passes through as NaN and does not disturb the
filter state; the filter restarts after a gap longer than ``reset_after_s``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


class OneEuroFilter:
    """One Euro filter over a vector of independent channels.

    Args:
        size: Number of channels.
        min_cutoff_hz: Cut-off at rest; lower = smoother, more lag.
        beta: Speed coefficient; higher = less lag on fast moves.
        d_cutoff_hz: Cut-off for the derivative estimate.
        reset_after_s: Restart a channel after a gap this long.

    Raises:
        ValueError: If a parameter is out of range (the message names it).

    Example:
        >>> f = OneEuroFilter(1)
        >>> float(f(np.array([10.0]), 0.0)[0])
        10.0
    """

    def __init__(
        self,
        size: int,
        min_cutoff_hz: float = 1.0,
        beta: float = 0.05,
        d_cutoff_hz: float = 1.0,
        reset_after_s: float = 1.0,
    ) -> None:
        if size < 1:
            raise ValueError(f"Argument 'size' must be >= 1, but got {size}")
        if min_cutoff_hz <= 0:
            raise ValueError(
                f"Argument 'min_cutoff_hz' must be > 0, but got {min_cutoff_hz}"
            )
        if beta < 0:
            raise ValueError(f"Argument 'beta' must be >= 0, but got {beta}")
        if d_cutoff_hz <= 0:
            raise ValueError(
                f"Argument 'd_cutoff_hz' must be > 0, but got {d_cutoff_hz}"
            )
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset_after_s = reset_after_s
        self._x = np.full(size, np.nan)
        self._dx = np.zeros(size)
        self._t_s = np.full(size, np.nan)

    def __call__(self, values: npt.ArrayLike, timestamp_s: float) -> Array:
        """Filter one sample per channel and return the smoothed values."""
        x = np.asarray(values, dtype=np.float64)
        out = np.full_like(x, np.nan)
        valid = np.isfinite(x)
        dt = timestamp_s - self._t_s
        fresh = valid & (~np.isfinite(self._x) | ~(dt > 0) | (dt > self.reset_after_s))
        out[fresh] = x[fresh]
        self._x[fresh] = x[fresh]
        self._dx[fresh] = 0.0
        self._t_s[fresh] = timestamp_s
        step = valid & ~fresh
        if step.any():
            dts = dt[step]
            dx = (x[step] - self._x[step]) / dts
            tau_d = 1.0 / (2.0 * math.pi * self.d_cutoff_hz)
            a_d = 1.0 / (1.0 + tau_d / dts)
            edx = a_d * dx + (1.0 - a_d) * self._dx[step]
            cutoff = self.min_cutoff_hz + self.beta * np.abs(edx)
            tau = 1.0 / (2.0 * math.pi * cutoff)
            a = 1.0 / (1.0 + tau / dts)
            smoothed = a * x[step] + (1.0 - a) * self._x[step]
            self._x[step] = smoothed
            self._dx[step] = edx
            self._t_s[step] = timestamp_s
            out[step] = smoothed
        return out

    def reset(self) -> None:
        """Forget all state."""
        self._x[:] = np.nan
        self._dx[:] = 0.0
        self._t_s[:] = np.nan
