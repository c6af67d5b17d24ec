"""formcheck's version: the one place it is written (pyproject.toml reads it).

A plain string, not the installed package's metadata: looking that up
(``importlib.metadata``) costs about 45 ms at every start of the command
line, before the pose model can start (docs/performance.md).
"""

__version__ = "0.1.0"
