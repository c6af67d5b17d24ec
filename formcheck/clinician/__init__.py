"""The therapist's review: computations behind the Therapist page and the report.

Nothing here imports Streamlit or draws; the page and the report turn these
results into widgets, figures and text (every sentence in :mod:`.texts`).

* :mod:`.replay` — re-run the checks on a session's stored landmarks; the
  repetitions and holds to pick; tracking quality; what each frame draws.
* :mod:`.rescore` — which past verdicts a changed prescription would change.
* :mod:`.attention` — adherence, flags and the patient list's order.
* :mod:`.symptoms` — centralisation, peripheralisation, direction preference.
* :mod:`.agreement` — therapist against formcheck, per exercise and rule.
"""

from __future__ import annotations
