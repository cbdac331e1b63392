"""Server memory across sessions opened and closed (issue 16): where does it go after expiry?

Usage: nice -n 10 python benchmarks/bench_memory.py [--rounds 3] [--uploads 2] [--demos 0]
       [--ttl 10]

One served ``streamlit run app.py`` (``MUSICREC_SERVED=1``). Each round, ``--uploads`` real
Chromium contexts at once each upload a shared account history plus the 30k catalog (and
``--demos`` more look at the demo), reach the builder's list and move its slider
(``bench_load``'s visit), then close. Measured (the server tree's summed resident size,
``bench_load.Sampler``): the idle baseline (a demo visit, closed and expired), each round's
peak, the resident size ``--ttl`` + 15 s after the last context closed ("after expiry", as
``bench_load``), 60 s later ("settled"), and after one more short demo visit opened and
closed ("after a visit": Streamlit 1.67 drops stored sessions, and its runtime loop lets go
of the last session it served, only when another session comes; ``musicrec.ui.sessions``).
Prints one JSON line a round; writes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_load import CATALOG, DATA, HISTORIES, Sampler, person, warm_up  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402


async def run(args: argparse.Namespace, url: str, sampler: Sampler) -> list[dict]:
    from playwright.async_api import async_playwright

    expire_s = args.ttl + 15
    mb = lambda: round(sampler.now / 1e6)  # noqa: E731
    rounds = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await warm_up(browser, url)
        await asyncio.sleep(expire_s)
        await warm_up(browser, url)  # the first visit's session is dropped by the next one
        await asyncio.sleep(expire_s)
        base = mb()
        print(json.dumps({"idle_baseline_mb": base}), flush=True)
        people = [DATA / "spotify-account-history" / h for h in HISTORIES][: args.uploads]
        people += [None] * args.demos
        for r in range(args.rounds):
            sampler.reset_peak()
            load = os.getloadavg()
            t = time.perf_counter()
            visits = await asyncio.gather(*(person(browser, url, h, args.moves) for h in people))
            took = time.perf_counter() - t
            peak = sampler.peak
            await asyncio.sleep(expire_s)
            after = mb()
            await asyncio.sleep(60)
            settled = mb()
            await warm_up(browser, url)
            await asyncio.sleep(expire_s)
            rnd = {"round": r + 1, "load_average": [round(x, 1) for x in load],
                   "round_s": round(took, 1), "failed": [v["who"] for v in visits if "error" in v],
                   "errors": [v["error"] for v in visits if "error" in v],
                   "upload_to_first_list_s": [v.get("upload_to_first_list_s") for v in visits],
                   "peak_mb": round(peak / 1e6), "after_expiry_mb": after, "settled_mb": settled,
                   "after_a_visit_mb": mb(), "idle_baseline_mb": base}  # fmt: skip
            print(json.dumps(rnd), flush=True)
            rounds.append(rnd)
        await browser.close()
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--uploads", type=int, default=2, help="uploading people at once (1-3)")
    parser.add_argument("--demos", type=int, default=0, help="people on the demo at once")
    parser.add_argument("--moves", type=int, default=2, help="slider moves per person")
    parser.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL (s)")
    args = parser.parse_args()
    missing = [h for h in HISTORIES if not (DATA / "spotify-account-history" / h).exists()]
    if missing or not CATALOG.exists():
        sys.exit(f"bench_memory needs ../shared/data (missing: {missing or CATALOG})")
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(tmp), f"--server.disconnectedSessionTTL={args.ttl}")
        sampler = Sampler(proc.pid)
        try:
            asyncio.run(run(args, url, sampler))
        finally:
            sampler.stop()
            stop_server(proc)


if __name__ == "__main__":
    main()
