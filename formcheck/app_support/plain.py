"""User text shown as plain text: no markup, no links, no images.

Session files travel between patients and therapists, so an exercise name,
a warning, a cue or a note may contain anything, including markup that would
make the page fetch an image from the internet (``![t](https://…/track.png)``)
or show a link. Every place that renders markup gets the text through one of
these functions first:

* :func:`markdown_text` for Streamlit's Markdown (``st.markdown``,
  ``st.caption``, ``st.info`` …, widget labels and expander titles), which
  also renders images, links, HTML-like tags, ``:color[…]`` directives,
  ``:material/…:`` icons and ``$…$`` maths;
* :func:`plotly_text` for Plotly titles, legends, hover labels and tick
  labels, which render ``<a href>``, ``<b>`` and HTML entities.

Tables (``st.dataframe``) and Jinja2's autoescaped HTML show text as it is.
"""

from __future__ import annotations

import html
import re

#: ASCII punctuation: every character CommonMark lets a backslash escape.
_MARKDOWN_SPECIAL = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def markdown_text(text: object) -> str:
    r"""Text that Streamlit's Markdown shows literally, on one line.

    Every ASCII punctuation character is backslash-escaped (so no link,
    image, emphasis, heading, list, HTML tag, directive, emoji shortcode or
    maths survives) and line breaks become spaces (so the text cannot start
    a block of its own).

    Args:
        text: The user text (anything; ``str()`` is applied).

    Returns:
        The escaped text.

    Example:
        >>> markdown_text("![t](https://example.org/t.png)")
        '\\!\\[t\\]\\(https\\:\\/\\/example\\.org\\/t\\.png\\)'
    """
    one_line = _LINE_BREAKS.sub(" ", str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line)


def plotly_text(text: object) -> str:
    """Text that Plotly shows literally (its labels understand some HTML).

    Args:
        text: The user text (anything; ``str()`` is applied).

    Returns:
        The text with ``&``, ``<``, ``>`` and quotes as HTML entities, which
        Plotly turns back into the characters when it draws them.

    Example:
        >>> plotly_text('<a href="https://example.org">x</a>')
        '&lt;a href=&quot;https://example.org&quot;&gt;x&lt;/a&gt;'
    """
    return html.escape(str(text), quote=True)
