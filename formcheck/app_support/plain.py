"""User text shown as plain text: no markup, no links, no images.

Session files travel between patients and therapists, so an exercise name,
a warning, a cue or a note may contain anything, including markup that would
make the page fetch an image from the internet (``![t](https://…/track.png)``)
or show a link. Every place that renders markup gets the text through one of
these functions first:

* :func:`markdown_text` for Streamlit's Markdown (``st.markdown``,
  ``st.caption``, ``st.error`` …, widget labels, help texts, image captions
  and expander titles), which also renders images, links, HTML-like tags,
  bare web addresses, ``:color[…]`` directives, ``:material/…:`` icons and
  ``$…$`` maths;
* :func:`plotly_text` for Plotly titles, legends, hover labels and tick
  labels, which render ``<a href>``, ``<b>`` and HTML entities.

Tables (``st.dataframe``) and Jinja2's autoescaped HTML show text as it is.
"""

from __future__ import annotations

import html
import re

#: Characters that start inline Markdown wherever they are: escapes, code,
#: emphasis, links and images, HTML and autolinks, entities, maths,
#: strikethrough and tables.
_ALWAYS = re.compile(r"([\\`*\[\]<>&$~|])")
#: ``_`` emphasises only at a word's edge (``snake_case`` stays as it is).
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
#: Block starts: headings, list items, setext underlines.
_BLOCK_START = re.compile(r"^(\s*)([#+=-])", re.MULTILINE)
_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
#: Streamlit turns some text into something else *after* escapes are
#: resolved: bare web and e-mail addresses into links, ``:smile:`` into an
#: emoji, ``:material/home:`` into an icon, ``:red`` into a directive. An
#: invisible word joiner (U+2060) after such a colon, after ``www`` and
#: before ``@`` keeps them text.
_WORD_JOINER = "\u2060"
_COLON = re.compile(r":(?=[\w/+-])")
_WWW_OR_AT = re.compile(r"(?i)\b(www)(?=\.)|(?=@)")


def _join(match: re.Match[str]) -> str:
    return (match.group(1) or "") + _WORD_JOINER


def markdown_text(text: object) -> str:
    r"""Text that Streamlit's Markdown shows literally.

    Backslash-escapes exactly the characters that would start Markdown, so
    no link, image, HTML tag, emphasis, code, heading, list, table or maths
    survives, and puts an invisible word joiner where Streamlit would still
    make a link, an emoji, an icon or a directive of the text (bare web and
    e-mail addresses, ``:name``). Plain messages (``clip.mp4: not a video``,
    ``rep_enter``) keep their text.

    Args:
        text: The user text (anything; ``str()`` is applied).

    Returns:
        The escaped text.

    Example:
        >>> markdown_text("![t](https://example.org/t.png)")
        '!\\[t\\](https:\u2060//example.org/t.png)'
    """
    out = _ALWAYS.sub(r"\\\1", str(text))
    out = _UNDERSCORE.sub(r"\\_", out)
    out = _BLOCK_START.sub(r"\1\\\2", out)
    out = _ORDERED.sub(r"\1\\\2", out)
    out = _COLON.sub(":" + _WORD_JOINER, out)
    return _WWW_OR_AT.sub(_join, out)


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
