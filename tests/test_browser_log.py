"""The browser tests fail on a traceback in the Streamlit server's log."""

from __future__ import annotations

from devtools.browser import server_tracebacks

LOG = """\
  You can now view your Streamlit app in your browser.
2026-01-01 10:00:00.000 Serialization of dataframe to Arrow table was unsuccessful.
Traceback (most recent call last):
  File "streamlit/dataframe_util.py", line 822, in convert_pandas_df_to_arrow_bytes
    table = pa.Table.from_pandas(df)

pyarrow.lib.ArrowInvalid: ("Could not convert '–' with type str", 'column rep')
2026-01-01 10:00:01.000 Stopping...
"""


def test_a_traceback_in_the_server_log_is_found() -> None:
    (found,) = server_tracebacks(LOG)
    assert found.startswith("Traceback (most recent call last):")
    assert found.endswith("'column rep')")


def test_a_clean_log_has_none() -> None:
    assert (
        server_tracebacks("  You can now view your Streamlit app.\nStopping...\n") == []
    )
