"""App-side logic for the Streamlit front end (``app.py`` and ``pages/``).

Apart from :mod:`.ui`, the Therapist page's view helpers and the Live page's
panels (:mod:`.live_choices`, :mod:`.live_panels`), nothing here draws a
Streamlit widget: the modules hold the parts of the app that can be tested
without a browser.

Modules:

* :mod:`formcheck.app_support.settings`: where data lives (``FORMCHECK_HOME``),
  upload limits, STUN/TURN configuration.
* :mod:`formcheck.app_support.catalog`: exercise specs and routines, loaded so
  that one broken file does not take the app down.
* :mod:`formcheck.app_support.live`: :class:`LiveProcessor`, the per-browser
  session pipeline behind the webcam stream (the lock, the pose model, the
  stream's clock, the latest-snapshot slot), around a
  :class:`~formcheck.app_support.live_run.LiveRun` (:mod:`.live_run`: the
  routine, the exercise step, the sets, the safety stop) with the other
  ``live_*`` modules (plan, exercise step, sets, snapshot, view, clock).
* :mod:`formcheck.app_support.live_status`: what the Live page shows, worked
  out from a snapshot (bars, countdowns, which buttons, the stream's health);
  :mod:`formcheck.app_support.live_choices` and
  :mod:`formcheck.app_support.live_panels` lay it out (Streamlit widgets only).
* :mod:`formcheck.app_support.speech`: when to speak a cue, and the small
  browser speech-synthesis snippet.
* :mod:`formcheck.app_support.review`: upload checks and recorded-video analysis.
* :mod:`formcheck.app_support.plots`: plotly figures (timeline, progress).
* :mod:`formcheck.app_support.report`: tables and the printable HTML report
  (Jinja2 template in ``templates/``).
* :mod:`formcheck.app_support.clinic_report`: the patient-level parts of the
  report (adherence, per exercise, symptoms, sign-offs, comments).
* :mod:`formcheck.app_support.report_pdf`: the report as a PDF (ReportLab).
* :mod:`formcheck.app_support.replay_figure`: the animated skeleton replay.
* :mod:`formcheck.app_support.symptom_plots`: symptoms over time per exercise.
* :mod:`formcheck.app_support.plain`: user text shown as plain text in
  Markdown and in Plotly labels.
* :mod:`formcheck.app_support.safety`: the safety text shown in the app.
* :mod:`formcheck.app_support.clinic_mode`: local and clinic mode — who is
  logged in (from the identity provider's claims), which page is whose, the
  login and refusal sentences, database problems as page messages.
* :mod:`formcheck.app_support.app_database`: the app's database, opened once
  per process; an old data folder copied in on the first local start.
* :mod:`formcheck.app_support.home`: the Home page's comments and progress.
* :mod:`formcheck.app_support.ui`: page setup (login, gating, sidebar,
  safety panel), ``viewer()`` and ``store()``,
  cached spec loading, error display and the test hook for a replay pose
  estimator.
* :mod:`formcheck.app_support.therapist_views`,
  :mod:`formcheck.app_support.therapist_panels` and
  :mod:`formcheck.app_support.comments_panel`: the Therapist page's sections
  and the patient's comments (Streamlit widgets only; the computing is in
  :mod:`formcheck.clinician`).
"""

from __future__ import annotations
