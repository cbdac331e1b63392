"""The path a first-time user takes to sound data, in a real browser: upload a small export ->
"Get the free catalogs" (served by a catalog server on 127.0.0.1, reached through the test
allow-list) -> the Mood page shows the moods and where they come from -> the builder says how
much of its pool the controls reach."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import catalog_fake
from tests.browser.conftest import ROOT, start_server, stop_server
from tests.browser.helpers import goto_page, wait_idle

# the app with the tiny catalog as its only offered one, then Streamlit as `streamlit run` does
LAUNCH = """
import json, os, sys
from tests import catalog_fake
catalog_fake.install(json.loads(os.environ["TEST_CATALOG_REGISTRY"]))
from streamlit.web import cli
sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
sys.exit(cli.main())
"""


@pytest.fixture(scope="module")
def catalog_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("catalog-flow")
    server = catalog_fake.CatalogServer()
    env = {"MUSICREC_FETCH_ALLOW_HOSTS": "127.0.0.1", "PYTHONPATH": str(ROOT),
           "TEST_CATALOG_REGISTRY": json.dumps(server.registry())}  # fmt: skip
    proc, url = start_server(tmp, command=(sys.executable, "-c", LAUNCH), env=env)
    yield url, server, tmp
    stop_server(proc)
    server.close()


def _your_data_with_an_export(page: Page, url: str, folder: Path) -> Path:
    """Open the app at 1280 px on Your data; returns a tiny account export written in ``folder``."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(url)
    wait_idle(page)
    goto_page(page, "Your data")
    export = folder / "StreamingHistory_music_0.json"
    export.write_bytes(catalog_fake.export_json())
    return export


def test_upload_get_the_catalogs_and_see_the_mood_with_its_provenance(
    page: Page, catalog_app, tmp_path: Path
):
    url, server, tmp = catalog_app
    export = _your_data_with_an_export(page, url, tmp_path)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="History files")
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(export)
    page.get_by_role("button", name="Load these files").click()
    offer = "Your listening has no sound data yet — get the free catalogs, 0 MB"
    expect(page.get_by_test_id("stAlert").filter(has_text=offer)).to_be_visible()
    assert server.hits == []  # nothing fetched before the person asks
    page.get_by_role("button", name="Get the free catalogs").click()
    expect(page.get_by_text("Catalog in use: Tiny test catalog (5 tracks).")).to_be_visible()
    assert server.hits == ["/tiny/tracks.csv"]
    assert str(tmp) not in page.inner_text("body")  # no server path shown

    goto_page(page, "Mood")
    statement = "Mood of 85% of your listening time: 60% measured, 25% from the artist."
    expect(page.get_by_text(statement)).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"] .gtitle').first).to_be_visible()
    titles = page.locator('[data-testid="stPlotlyChart"] .gtitle').all_text_contents()
    assert "Your moods" in titles and "Happy or sad (valence) by calm or intense (energy)" in titles
    page.get_by_text("Measured features only").click()
    expect(
        page.get_by_text(
            "Mood of 60% of your listening time, all from the tracks' own measured features."
        )
    ).to_be_visible()

    goto_page(page, "Playlist builder")
    expect(
        page.get_by_text("Mood and activity act on 86% of the 7 candidate tracks")
    ).to_be_visible()


def test_the_catalog_tab_stays_picked_while_another_upload_reruns_the_page(
    page: Page, catalog_app, tmp_path: Path
):
    """Files dropped in the history uploader, then at once a catalog in "Upload a catalog":
    the history upload's rerun adds "Load these files" above the tabs. Unkeyed tabs went back
    to the first one there, hiding "Use this catalog" (bench_load lost two uploads to it)."""
    url, _, _ = catalog_app
    export = _your_data_with_an_export(page, url, tmp_path)
    catalog = tmp_path / "tracks.csv"
    catalog.write_bytes(catalog_fake.catalog_csv())
    page.locator(".st-key-history_files input[type=file]").set_input_files(export)
    page.get_by_role("tab", name="Upload a catalog").click()  # before the history's rerun
    page.locator(".st-key-catalog_file input[type=file]").set_input_files(catalog)
    expect(page.get_by_role("button", name="Load these files")).to_be_visible()
    expect(page.get_by_role("button", name="Use this catalog")).to_be_visible()
    wait_idle(page)
    expect(page.get_by_role("tab", name="Upload a catalog")).to_have_attribute(
        "aria-selected", "true"
    )
    page.get_by_role("button", name="Use this catalog").click()
    expect(page.get_by_text("Catalog in use: tracks.csv").first).to_be_visible()
