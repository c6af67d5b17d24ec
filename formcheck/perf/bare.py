"""The reference loop: decode every frame and run the pose estimator on it.

``python -m formcheck.perf.bare VIDEO`` is "a bare MediaPipe loop": OpenCV
decodes, the same backend formcheck uses (:func:`formcheck.pose.create_estimator`,
default settings) estimates each frame, and nothing else happens — no
checking, no drawing, no files. ``formcheck bench --speed`` times it in a
fresh process, start-up and model loading included, against whole
``formcheck analyze`` runs.

As a plain script, it ends with the interpreter's teardown (0.2–0.3 s), which
``formcheck analyze`` skips (:mod:`formcheck.cli._exit`). With
``--exit-at-once`` it skips it too, so the benchmark can also say how much of
formcheck's time is the work formcheck adds.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def bare_loop(path: str) -> int:
    """Decode ``path`` and estimate every frame; return the frame count."""
    import cv2
    import numpy as np

    from formcheck.pose import create_estimator

    capture = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    frames = 0
    last_ms = -1.0
    try:
        with create_estimator() as estimator:
            while True:
                ok, image = capture.read()
                if not ok or image is None:
                    break
                last_ms = max(float(capture.get(cv2.CAP_PROP_POS_MSEC)), last_ms + 1.0)
                estimator(np.asarray(image, dtype=np.uint8), last_ms, frames)
                frames += 1
    finally:
        capture.release()
    return frames


#: Ends the process as ``formcheck analyze`` does, without the teardown.
EXIT_AT_ONCE = "--exit-at-once"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the loop over one video; print the frame count."""
    args = list(sys.argv[1:] if argv is None else argv)
    at_once = EXIT_AT_ONCE in args
    args = [a for a in args if a != EXIT_AT_ONCE]
    if len(args) != 1:
        print(
            f"usage: python -m formcheck.perf.bare [{EXIT_AT_ONCE}] VIDEO",
            file=sys.stderr,
        )
        return 2
    from formcheck._quiet import quiet_native_logging

    quiet_native_logging()
    print(bare_loop(args[0]))
    if at_once:
        from formcheck.cli._exit import exit_now

        exit_now(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
