"""The command line's two consoles and its one way of reporting a problem.

User text is always printed literally (never as Rich markup or emoji codes).
"""

from __future__ import annotations

import logging
import re

from rich.console import Console
from rich.markup import escape

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_ANALYSABLE = 3

# No emoji codes (":smile:") either: user text is printed exactly as given.
console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


def lit(value: object) -> str:
    r"""``value`` as Rich markup that prints literally.

    Every piece of user-supplied text (paths, names, spec text, cues,
    warnings) goes through this before it meets Rich markup, so ``[red]`` or
    ``x[/]y.mp4`` is printed as typed instead of styling or crashing, and a
    control character (an escape sequence) is shown as ``\x1b`` instead of
    reaching the terminal.
    """
    return escape(_CONTROL.sub(_shown, str(value)))


#: Control characters other than a line break or a tab (an escape sequence
#: in a spec's name or a file name could restyle or clear the terminal).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def shown(text: str) -> str:
    r"""``text`` with its control characters made visible (``\x1b``), no markup."""
    return _CONTROL.sub(_shown, text)


def _shown(match: re.Match[str]) -> str:
    r"""A control character as visible text, e.g. ``\x1b``."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def error(message: str) -> None:
    """Print ``message`` as ``formcheck: error: …`` lines on standard error."""
    # Control characters are shown before the split: only a real line break
    # starts another "formcheck: error:" line.
    for line in _CONTROL.sub(_shown, message).rstrip("\n").split("\n"):
        err_console.print(
            f"[bold red]formcheck: error:[/] {lit(line)}", markup=True, soft_wrap=True
        )


def plain(line: str) -> None:
    """Print a line as plain text (names and e-mails are never markup)."""
    console.print(
        _CONTROL.sub(_shown, line), markup=False, highlight=False, soft_wrap=True
    )


class PlainLogFormatter(logging.Formatter):
    """Log lines with their control characters made visible (``-v`` output)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return shown(super().formatMessage(record))


def configure_logging(verbose: bool) -> None:
    """Log to standard error: every record with ``verbose``, else warnings only.

    A file name with an escape sequence in a log line is shown, not obeyed.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(PlainLogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler]
    )
