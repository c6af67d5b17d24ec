"""The ranges that give each kind of number in a spec a meaning.

A spec number is always finite (YAML ``.nan`` and ``.inf`` are refused) and
lies within the range of its kind:

=================  ====================================================
kind               range
=================  ====================================================
angle (deg)        what the signal can read: 0–180 for a joint angle,
                   0–360 with ``reflex``, −90–90 for an elevation above
                   the floor … (see :mod:`formcheck.specs.ranges`);
                   a change from the start pose spans ± that width
body lengths       0 to :data:`MAX_BODY_LENGTHS` for a distance,
                   ± :data:`MAX_BODY_LENGTHS` for heights and offsets
seconds            0 to a maximum per setting (a step, a repetition,
                   a hold, a reminder interval)
counts             1 to :data:`MAX_REPS` repetitions, :data:`MAX_SETS` sets
=================  ====================================================

The prescription limits (:mod:`formcheck.prescription`) are the same
numbers, so a spec's defaults are always a valid prescription.
"""

from __future__ import annotations

#: Widest angle any signal reports (a reflex joint angle runs 0–360 deg).
MAX_ANGLE_DEG = 360.0
#: Largest distance, height or offset in body lengths (a person lying down is
#: about 3 torso lengths long, or 10 hip widths).
MAX_BODY_LENGTHS = 20.0
#: Repetitions in one set, and sets in one session.
MAX_REPS = 30
MAX_SETS = 10
#: Longest hold, in seconds.
MAX_HOLD_S = 120.0
#: Longest single repetition (and the longest duration a rep rule may ask for).
MAX_REP_S = 600.0
#: Longest paced step of a guided repetition, and the longest time a failure
#: may persist before it is reported.
MAX_STEP_S = 60.0
#: Longest session-level interval (reminders, waiting in position).
MAX_SESSION_S = 3600.0
#: Camera placement, in metres.
MAX_CAMERA_M = 10.0
#: Hold stillness: fastest angle speed (deg/s) and length speed (lengths/s).
MAX_SPEED_DEG_S = 1000.0
MAX_SPEED_LEN_S = 20.0
#: One Euro filter: minimum cut-off frequency (Hz) and speed coefficient.
MAX_CUTOFF_HZ = 30.0
MAX_SMOOTHING_BETA = 10.0
#: Cue priorities and spec revisions.
MAX_PRIORITY = 1000
MAX_REVISION = 1_000_000
