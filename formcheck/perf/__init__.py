"""Speed measurements: ``formcheck bench --speed``.

* :mod:`.bare` — the reference: decode plus the pose estimator, nothing else.
* :mod:`.speed` — formcheck's runs against that reference, as ratios, and the
  check that parallel runs give the sequential answers.
* :mod:`.live` — how many live sessions one process sustains.
* :mod:`.report` — the Markdown report.

Ratios, not seconds, are reported: absolute times vary from machine to
machine, ratios measured side by side in one run much less.
"""
