"""Hold timing: a timer that runs only while the hold pose is right and still."""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.results import HoldState, HoldStatus

#: The most of a movement at the end of a hold that is taken as the way out.
MAX_WAY_OUT_S = 2.0
#: A movement this short while a hold is being confirmed is wobble.
MAX_BLIP_S = 0.4


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
        self._moving_since_s: float | None = None
        self._blip_since_s: float | None = None
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

    def update(
        self,
        in_pose: bool | None,
        timestamp_s: float,
        moving_since_s: float | None = None,
    ) -> HoldEvent | None:
        """Feed one frame.

        Args:
            in_pose: True if every hold rule passes, False if one fails, None if
                the pose cannot be judged in this frame.
            timestamp_s: Time of the frame.
            moving_since_s: The pose is right but has been changing since
                then (``None``: not changing). A hold does not start while
                the person is still moving into it; once held, moving within
                the pose (easing deeper, adjusting) is still holding, unless the
                movement ends with the pose lost: then it was the way out and
                is not credited (at most :data:`MAX_WAY_OUT_S` of it).

        Returns:
            A :class:`HoldEvent` when a hold ends, else ``None``.
        """
        dt = 0.0 if self._last_s is None else max(0.0, timestamp_s - self._last_s)
        self._last_s = timestamp_s
        if self._status in (HoldStatus.IDLE, HoldStatus.CONFIRMING):
            if in_pose and moving_since_s is not None:
                # Moving into the pose is not holding yet; while confirming,
                # only a blip of movement (as long as it is noticed) is forgiven.
                if self._blip_since_s is None:
                    self._blip_since_s = timestamp_s
                if (
                    self._status is HoldStatus.IDLE
                    or timestamp_s - self._blip_since_s > MAX_BLIP_S
                ):
                    self._confirm_since_s = None
                    self._status = HoldStatus.IDLE
                    return None
                return None  # a hold is confirmed only once still again
            self._blip_since_s = None
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
        if in_pose and moving_since_s is not None:
            if self._moving_since_s is None and self._status is HoldStatus.HOLDING:
                self._moving_since_s = max(moving_since_s, self._start_s)
        elif in_pose:
            self._moving_since_s = None
        elif in_pose is False:
            self._take_back_way_out()
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

    def start_under_way(self, since_s: float, timestamp_s: float) -> None:
        """A hold already under way when the timer could first judge it.

        Right after a late calibration, the pose was seen right from
        ``since_s``: the hold is credited from then, if that is at least
        ``enter_after_s``. Only an idle or confirming timer takes it.
        """
        if self._status not in (HoldStatus.IDLE, HoldStatus.CONFIRMING):
            return
        if timestamp_s - since_s < self.enter_after_s:
            return
        self._status = HoldStatus.HOLDING
        self._start_s = since_s
        self._held_s = timestamp_s - since_s
        self._last_s = timestamp_s
        self._last_in_pose_s = timestamp_s
        self._confirm_since_s = None
        self._grace_credit_s = 0.0
        self._out_since_s = None
        self._unseen_since_s = None

    def _take_back_way_out(self) -> None:
        """The pose was lost after moving: that movement was the way out."""
        if self._moving_since_s is None:
            return
        way_out_s = min(self._last_in_pose_s - self._moving_since_s, MAX_WAY_OUT_S)
        if way_out_s > 0:
            self._held_s -= way_out_s
            self._last_in_pose_s -= way_out_s
        self._moving_since_s = None

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
        self._moving_since_s = None
        self._confirm_since_s = None
        self._out_since_s = None
        self._unseen_since_s = None
        return event


def pose_held_since(
    samples: list[tuple[float, bool | None]],
    now_s: float,
    max_break_s: float = 0.3,
    max_unseen_s: float = 2.0,
) -> float | None:
    """When the pose has been right without a break, looking back from now.

    Args:
        samples: ``(time, in_pose)`` oldest first; ``None`` = cannot tell.
        now_s: The time the run must reach (the newest sample no older than
            ``max_break_s`` before it).
        max_break_s: A stretch out of pose (or a gap between samples) this
            long ends the run; shorter ones are wobble.
        max_unseen_s: A stretch that cannot be judged this long ends the run.

    Returns:
        The time of the earliest sample in pose of the run, or ``None`` when
        the newest samples are not in pose.
    """
    since: float | None = None
    newer_s = now_s
    out_until: float | None = None
    unseen_until: float | None = None
    for t, in_pose in reversed(samples):
        if newer_s - t > max_break_s:
            break  # frames missing: the person was not seen in position
        newer_s = t
        if in_pose:
            since = t
            out_until = unseen_until = None
        elif in_pose is None:
            unseen_until = t if unseen_until is None else unseen_until
            if unseen_until - t > max_unseen_s:
                break
        else:
            out_until = t if out_until is None else out_until
            if out_until - t >= max_break_s:
                break
    return since
