"""Print (or write into docs/synth.md) the sample-set measurement table.

Usage:
    python scripts/synth_measurement_table.py [--update-docs]

Reads formcheck/synth/measurements.yaml (written by
`python -m formcheck.synth samples --measure`) and sample_videos/manifest.yaml.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from formcheck.synth.samples import MEASUREMENTS_FILE

DOCS = Path("docs/synth.md")
START, END = "<!-- MEASUREMENTS START -->", "<!-- MEASUREMENTS END -->"


def _f(med: float | None, p90: float | None) -> str:
    return "n/a" if med is None else f"{med:.1f} ({p90:.1f})"


def table(manifest: Path) -> str:
    data = yaml.safe_load(MEASUREMENTS_FILE.read_text(encoding="utf-8"))
    man = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    dur = {c["file"][:-4]: c["duration_s"] for c in man["clips"]}
    rows = [
        "| clip | s | MediaPipe reliable | tracked | near hip / knee error vs "
        "projected truth, median (p90) ° | vs true angle ° | engine vs truth |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, v in data["clips"].items():
        mp, e = v["mediapipe"], v.get("engine") or {}
        if "holds" in e:
            eng = (
                f"holds {e['holds']}/{e['truth_holds']}, "
                + ", ".join(f"{h[2]:.1f}" for h in e["hold_times_s"])
                + " s vs "
                + ", ".join(f"{h[2]:.1f}" for h in e["truth_hold_times_s"])
                + " s"
            )
        elif "reps" in e:
            eng = f"reps {e['reps']}/{e['truth_reps']}"
            if "per_side" in e:
                ps, ts = e["per_side"], e["truth_per_side"]
                eng += (
                    f" (L {ps.get('left', 0)}/{ts.get('left', 0)}, "
                    f"R {ps.get('right', 0)}/{ts.get('right', 0)})"
                )
            flagged = e["faults_by_phase"].get("exercise", {})
            wanted = [f for f in e["truth_faults"] if f != "shallow"]
            if wanted:
                eng += f"; truth faults {', '.join(wanted)}; flagged: " + (
                    ", ".join(f"{k}×{n}" for k, n in flagged.items()) or "none"
                )
        elif "error" in e:
            eng = "CRASH " + e["error"]
        else:
            eng = "no spec"
        true = (
            "n/a"
            if mp["hip_vs_true_median_deg"] is None
            else f"{mp['hip_vs_true_median_deg']:.1f} / {mp['knee_vs_true_median_deg']:.1f}"
        )
        rows.append(
            f"| `{name}` | {dur.get(name, 0):.0f} | {v['mediapipe_reliable']} | "
            f"{100 * mp['tracked_share']:.0f} % | "
            f"{_f(mp['hip_err_median_deg'], mp['hip_err_p90_deg'])} / "
            f"{_f(mp['knee_err_median_deg'], mp['knee_err_p90_deg'])} | {true} | {eng} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--manifest", type=Path, default=Path("sample_videos/manifest.yaml")
    )
    parser.add_argument("--update-docs", action="store_true")
    args = parser.parse_args()
    text = table(args.manifest)
    if args.update_docs:
        doc = DOCS.read_text(encoding="utf-8")
        a, b = doc.index(START) + len(START), doc.index(END)
        DOCS.write_text(doc[:a] + "\n" + text + "\n" + doc[b:], encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
