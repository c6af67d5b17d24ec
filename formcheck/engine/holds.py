"""Hold timing: a timer that runs only while the hold pose is right and still."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.results import HoldState, HoldStatus


@dataclass(frozen=True)
class HoldEvent:
    """One finished hold."""

    start_s: float
    end_s: float
    held_s: float
    min_s: float
    target_s: float

    @property
    def completed(self) -> bool:
        """Whether the minimum hold time was reached."""
        return self.held_s >= self.min_s

    @property
    def target_reached(self) -> bool:
        """Whether the target hold time was reached."""
        return self.held_s >= self.target_s


class HoldTimer:
    """Timer that runs only while the hold pose is right.

    * The pose must be right for ``enter_after_s`` before a hold starts (that
      time is credited once it is confirmed).
    * While the pose is right the timer runs. While it is wrong it pauses (no
      time is credited) but does not reset.
    * When the pose cannot be seen (``None``: a tracking blip) the timer keeps
      running for up to ``grace_s``, then pauses. The bridged time is kept only
      if the pose is seen again before the hold ends.
    * The hold ends when the pose has been wrong or unseen for ``reset_after_s``.

    Args:
        min_s: Shortest hold that counts as done.
        target_s: Hold time to aim for.
        enter_after_s: Time the pose must be right before the timer starts.
        grace_s: How long a tracking blip is bridged.
        reset_after_s: How long out of pose ends the hold.
    """

    def __init__(
        self,
        min_s: float,
        target_s: float,
        enter_after_s: float = 1.0,
        grace_s: float = 2.0,
        reset_after_s: float = 5.0,
    ) -> None:
        if min_s <= 0:
            raise ValueError(f"Argument 'min_s' must be > 0, but got {min_s}")
        if target_s < min_s:
            raise ValueError(
                f"Argument 'target_s' ({target_s}) must be >= 'min_s' ({min_s})"
            )
        self.min_s = min_s
        self.target_s = target_s
        self.enter_after_s = enter_after_s
        self.grace_s = grace_s
        self.reset_after_s = reset_after_s
        self._status = HoldStatus.IDLE
        self._held_s = 0.0
        self._start_s = 0.0
        self._confirm_since_s: float | None = None
        self._out_since_s: float | None = None
        self._unseen_since_s: float | None = None
        self._last_s: float | None = None
        self._last_in_pose_s = 0.0
        self._grace_credit_s = 0.0
        self._done = 0

    @property
    def held_s(self) -> float:
        """Seconds credited to the current hold."""
        return self._held_s

    @property
    def holds_done(self) -> int:
        """Finished holds that reached ``min_s``."""
        return self._done

    def state(self) -> HoldState:
        """Return what to show now."""
        return HoldState(
            self._status, self._held_s, self.min_s, self.target_s, self._done
        )

    def update(self, in_pose: bool | None, timestamp_s: float) -> HoldEvent | None:
        """Feed one frame.

        Args:
            in_pose: True if every hold rule passes, False if one fails, None if
                the pose cannot be judged in this frame.
            timestamp_s: Time of the frame.

        Returns:
            A :class:`HoldEvent` when a hold ends, else ``None``.
        """
        dt = 0.0 if self._last_s is None else max(0.0, timestamp_s - self._last_s)
        self._last_s = timestamp_s
        if self._status in (HoldStatus.IDLE, HoldStatus.CONFIRMING):
            if in_pose:
                if self._confirm_since_s is None:
                    self._confirm_since_s = timestamp_s
                    self._status = HoldStatus.CONFIRMING
                if timestamp_s - self._confirm_since_s >= self.enter_after_s:
                    self._status = HoldStatus.HOLDING
                    self._start_s = self._confirm_since_s
                    self._held_s = timestamp_s - self._confirm_since_s
                    self._last_in_pose_s = timestamp_s
                    self._grace_credit_s = 0.0
                    self._out_since_s = None
                    self._unseen_since_s = None
            elif in_pose is False or self._status == HoldStatus.CONFIRMING:
                self._confirm_since_s = None
                self._status = HoldStatus.IDLE
            return None
        # holding / paused / grace
        if in_pose:
            self._held_s += dt
            self._grace_credit_s = 0.0  # the pose came back: the blip is kept
            self._status = HoldStatus.HOLDING
            self._out_since_s = None
            self._unseen_since_s = None
            self._last_in_pose_s = timestamp_s
            return None
        if in_pose is None:
            if self._unseen_since_s is None:
                self._unseen_since_s = timestamp_s - dt
            unseen_s = timestamp_s - self._unseen_since_s
            if self._out_since_s is None and unseen_s <= self.grace_s:
                self._held_s += dt
                self._grace_credit_s += dt
                self._status = HoldStatus.GRACE
                return None
            self._status = HoldStatus.PAUSED
            if unseen_s >= self.reset_after_s:
                return self._end(timestamp_s)
            return None
        # in_pose is False
        self._unseen_since_s = None
        if self._out_since_s is None:
            self._out_since_s = timestamp_s
        self._status = HoldStatus.PAUSED
        if timestamp_s - self._out_since_s >= self.reset_after_s:
            return self._end(timestamp_s)
        return None

    def finish(self, timestamp_s: float) -> HoldEvent | None:
        """End the hold in progress (e.g. at the end of the video)."""
        if self._status in (HoldStatus.IDLE, HoldStatus.CONFIRMING):
            self._status = HoldStatus.IDLE
            self._confirm_since_s = None
            return None
        return self._end(timestamp_s)

    def _end(self, timestamp_s: float) -> HoldEvent:
        # Time bridged by grace counts only if the pose was seen again.
        self._held_s -= self._grace_credit_s
        self._grace_credit_s = 0.0
        event = HoldEvent(
            start_s=self._start_s,
            end_s=min(timestamp_s, self._last_in_pose_s),
            held_s=self._held_s,
            min_s=self.min_s,
            target_s=self.target_s,
        )
        if event.completed:
            self._done += 1
        self._status = HoldStatus.IDLE
        self._held_s = 0.0
        self._confirm_since_s = None
        self._out_since_s = None
        self._unseen_since_s = None
        return event
