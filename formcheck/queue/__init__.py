"""The clinic's job queue: uploaded videos analysed by workers.

* :mod:`.jobs` — the jobs in formcheck's tables (submit, list, claim, result).
* :mod:`.worker` — procrastinate, on the same PostgreSQL database: the task,
  ``formcheck worker``, and retrying jobs whose worker died.

Local mode does not use it: the app analyses in its own process.
"""
