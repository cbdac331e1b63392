"""Speed in a real browser (Playwright + Debian's Chromium) against `streamlit run app.py`.

Usage: python benchmarks/bench_browser.py
Prints and writes benchmarks/results/browser.json:
- first_interactive_s: from the server answering /_stcore/health to the demo's Home page
  rendered and idle, in a fresh browser;
- slider p50/p95 (ms): 20 valence-slider moves on the playlist builder, each timed from
  the key press to the first track of the list changing in the DOM;
- load_settled_s: the largest shared history (josh-blas, 10 files) from "Load these
  files" to the Your data page drawn in full, match chart included;
- page_render_s: then each page from the nav click to rendered and idle.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.browser_session import LIST_JS, app_page, wait_for_new_list  # noqa: E402
from tests.browser.helpers import goto_page, slider, wait_idle  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PAGES = ["Home", "Your data", "Taste profile", "Mood", "Playlist builder", "Model quality"]


def main() -> None:
    out: dict = {}
    with app_page() as (page, url):
        t = time.perf_counter()
        page.goto(url)
        page.get_by_text("You are looking at the built-in demo").wait_for(timeout=60_000)
        wait_idle(page)
        out["first_interactive_s"] = round(time.perf_counter() - t, 2)
        goto_page(page, "Playlist builder")
        page.wait_for_function(f"({LIST_JS})().length > 0")
        thumb = slider(page, "Valence")
        thumb.focus()
        times = []
        for i in range(20):
            before = page.evaluate(LIST_JS)
            t = time.perf_counter()
            thumb.press("ArrowLeft" if i % 2 else "ArrowRight")
            wait_for_new_list(page, before, timeout=30_000, raf=True)
            times.append((time.perf_counter() - t) * 1000)
            wait_idle(page)
        out["slider_p50_ms"] = round(float(np.percentile(times, 50)))
        out["slider_p95_ms"] = round(float(np.percentile(times, 95)))
        largest = DATA / "spotify-account-history" / "josh-blas"
        if largest.exists():
            goto_page(page, "Your data")
            page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(
                [str(f) for f in sorted(largest.glob("*.json"))]
            )
            t = time.perf_counter()
            page.get_by_role("button", name="Load these files").click()
            page.get_by_test_id("stAlert").filter(has_text="Loaded ").wait_for(timeout=120_000)
            # The page is settled when its last element, the match chart, is drawn
            # (the browser's first Plotly chart also loads plotly.js).
            page.locator(".js-plotly-plot").last.wait_for(timeout=120_000)
            wait_idle(page)
            out["load_settled_s"] = round(time.perf_counter() - t, 2)
            renders = {}
            for name in PAGES:
                for attempt in ("first", "again"):
                    t = time.perf_counter()
                    goto_page(page, name)
                    renders[f"{name} ({attempt})"] = round(time.perf_counter() - t, 2)
            out["page_render_s"] = renders
    print(json.dumps(out, indent=1))
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "browser.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
