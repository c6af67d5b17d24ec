"""Spoken cues: when to speak, and the browser snippet that speaks.

Speech uses the browser's own speech synthesis (``window.speechSynthesis``),
so no audio or text leaves the machine. :class:`CueSpeaker` decides *when*:
only when the cue text changes, and at most once every ``min_interval_s``.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable

#: Default shortest time between two spoken cues.
DEFAULT_MIN_INTERVAL_S = 4.0


class CueSpeaker:
    """Rate-limits spoken cues.

    Args:
        min_interval_s: Shortest time between two spoken cues.
        clock: Time source in seconds (injectable for tests).

    Example:
        >>> speaker = CueSpeaker(min_interval_s=4.0, clock=lambda: 0.0)
        >>> speaker.next_utterance("Lower your leg.")
        'Lower your leg.'
        >>> speaker.next_utterance("Lower your leg.") is None
        True
    """

    def __init__(
        self,
        min_interval_s: float = DEFAULT_MIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not min_interval_s >= 0:
            raise ValueError(
                f"`min_interval_s` must be >= 0, but got {min_interval_s!r}"
            )
        self.min_interval_s = float(min_interval_s)
        self._clock = clock
        self._last_text: str | None = None
        self._last_spoken_s: float | None = None
        self.count = 0

    def next_utterance(self, cue_text: str | None) -> str | None:
        """Return the text to speak now, or ``None``.

        A cue is spoken when it differs from the last *spoken* cue and the
        last one was at least ``min_interval_s`` ago. A cue that changes while
        the interval has not elapsed is spoken later if it is still current.

        Args:
            cue_text: The current cue (``None`` when there is none).

        Returns:
            The text to speak, or ``None``.
        """
        if not cue_text or cue_text == self._last_text:
            return None
        now = self._clock()
        if (
            self._last_spoken_s is not None
            and now - self._last_spoken_s < self.min_interval_s
        ):
            return None
        self._last_text = cue_text
        self._last_spoken_s = now
        self.count += 1
        return cue_text

    @property
    def utterance_id(self) -> int:
        """Number of utterances so far (identifies the latest one)."""
        return self.count


def speech_html(text: str, utterance_id: int, rate: float = 1.0) -> str:
    """A small HTML/JS snippet that speaks ``text`` once.

    The snippet runs in the page (``st.html(..., unsafe_allow_javascript=True)``);
    it remembers the last ``utterance_id`` on ``window`` so that re-rendering
    the same snippet never repeats it, and cancels any cue still being spoken.

    Args:
        text: What to say (plain text; it is JSON-escaped).
        utterance_id: Identifier of this utterance.
        rate: Speaking rate (1 = normal).

    Returns:
        The HTML snippet.
    """
    payload = json.dumps({"id": int(utterance_id), "text": text, "rate": rate})
    return (
        f'<div class="formcheck-speech" title="{html.escape(text)}"></div>'
        "<script>(function(){"
        f"const u={payload};"
        "try{const w=window.parent||window;const s=w.speechSynthesis;"
        "if(!s||w.__formcheckSpoken===u.id)return;w.__formcheckSpoken=u.id;"
        "s.cancel();const m=new w.SpeechSynthesisUtterance(u.text);m.rate=u.rate;"
        "s.speak(m);}catch(e){}})();</script>"
    )
