"""Regenerate ``docs/images/review.png``: the Review page after analysing a sample.

Usage:
    python scripts/screenshots.py [--sample CLIP.mp4] [--out docs/images/review.png]

Starts ``streamlit run app.py`` headless on a free localhost port (with a
throw-away ``FORMCHECK_HOME``), drives Debian Chromium (``/usr/bin/chromium``,
never a downloaded browser) with Playwright to the Review page, analyses a
bundled sample clip (``sample_videos/bird_dog_side.mp4``, else
``sample_videos/glute_bridge_side.mp4``: the project's own rendered clips, see
``docs/synth.md``) with the real pose model, waits for the results and writes
a PNG of the result section (256-colour palette, at most 300 KB).

The exercise is the one the page preselects from the clip's
``<clip>.truth.json``; the annotated video is paused at the first repetition's
peak when the truth file gives one.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's devtools

from devtools.browser import (
    CHROMIUM,
    StreamlitStartError,
    chromium_context,
    save_screenshot,
    streamlit_app,
    wait_idle,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_videos"
PREFERRED = ("bird_dog_side.mp4", "glute_bridge_side.mp4")
DEFAULT_OUT = REPO / "docs" / "images" / "review.png"
MAX_BYTES = 300_000
VIEWPORT_WH = (1400, 2200)


def log(message: str) -> None:
    print(f"[screenshots] {message}", flush=True)


def pick_sample(explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit)
        path = path if path.is_absolute() or path.exists() else SAMPLES / path
        if not path.is_file():
            sys.exit(f"no such sample video: {path}")
        return path.resolve()
    for name in PREFERRED:
        if (SAMPLES / name).is_file():
            return SAMPLES / name
    sys.exit(
        f"none of {', '.join(PREFERRED)} is in {SAMPLES}: render them with "
        "`python -m formcheck.synth samples` (see docs/synth.md)"
    )


def truth(sample: Path) -> dict[str, Any]:
    try:
        data = json.loads(
            sample.with_name(f"{sample.stem}.truth.json").read_text("utf-8")
        )
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (typing filters it)."""
    combo = page.get_by_role("combobox", name=label)
    combo.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)
    if combo.input_value() != option:
        sys.exit(f"could not choose {option!r} in {label!r}: {combo.input_value()!r}")


def shoot(url: str, sample: Path, profile: Path, timeout_s: float) -> bytes:
    from playwright.sync_api import FloatRect

    meta = truth(sample)
    width, height = VIEWPORT_WH
    with chromium_context(profile, viewport_wh=VIEWPORT_WH) as context:
        page = context.new_page()
        page.goto(f"{url}/Review", wait_until="domcontentloaded")
        page.get_by_text("Review a recorded video").wait_for(timeout=60_000)
        wait_idle(page)
        page.locator("label").filter(has_text="A sample video").first.click()
        wait_idle(page)
        choose(page, "Sample", sample.name)
        exercise = page.get_by_role("combobox", name="Exercise").input_value()
        log(f"sample {sample.name}; exercise preselected: {exercise!r}")
        if meta.get("exercise") and exercise.lower().replace(" ", "_") != str(
            meta["exercise"]
        ):
            log(f"note: the truth file says {meta['exercise']!r}")
        page.get_by_role("button", name="Analyse").click()
        log("analysing (real pose model)…")
        header = page.get_by_role("heading", name=f"— {sample.name}")
        header.wait_for(timeout=timeout_s * 1000)
        page.get_by_text("Timeline", exact=True).wait_for(timeout=60_000)
        wait_idle(page)
        page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
        reps = meta.get("reps") or []
        seek = (
            float(reps[0]["peak_s"])
            if reps and "peak_s" in reps[0]
            else float(meta.get("duration_s", 10.0)) * 0.3
        )
        page.evaluate(
            """async (t) => {
                const v = document.querySelector('video');
                if (!v) return;
                if (v.readyState < 1) {
                    await new Promise(r => v.addEventListener(
                        'loadedmetadata', r, {once: true}));
                }
                v.pause();
                await new Promise(r => {
                    v.addEventListener('seeked', r, {once: true});
                    v.currentTime = t;
                });
            }""",
            seek,
        )
        time.sleep(1.5)  # let plotly and the video frame settle
        main = page.get_by_test_id("stMainBlockContainer").bounding_box()
        top_box = header.bounding_box()
        chart = page.get_by_test_id("stPlotlyChart").first.bounding_box()
        if main is None or top_box is None or chart is None:
            sys.exit("the result section is not on screen")
        top = max(0.0, top_box["y"] - 16)
        bottom = min(chart["y"] + chart["height"] + 16, height)
        left = main["x"] + 32
        clip = FloatRect(
            x=left,
            y=top,
            width=min(main["width"] - 64, width - left),
            height=bottom - top,
        )
        return bytes(page.screenshot(clip=clip))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", help="sample clip (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds for the analysis"
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium)")
    sample = pick_sample(args.sample)
    with tempfile.TemporaryDirectory(prefix="formcheck-shots-") as tmp:
        tmp_path = Path(tmp)
        log_path = tmp_path / "streamlit.log"
        env = {
            "FORMCHECK_HOME": str(tmp_path / "home"),
            "FORMCHECK_SAMPLES": str(SAMPLES),
        }
        try:
            with streamlit_app(REPO, log_path, env=env) as url:
                log(f"streamlit at {url}")
                try:
                    png = shoot(
                        url, sample, tmp_path / "chromium-profile", args.timeout
                    )
                except Exception:
                    sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
                    raise
        except StreamlitStartError as exc:
            # The log goes with the temporary folder: show its end first.
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            sys.exit(str(exc))
    size = save_screenshot(png, args.out, MAX_BYTES)
    log(f"wrote {args.out} ({size / 1000:.0f} KB)")


if __name__ == "__main__":
    main()
