"""The finished feel, in a real browser at phone and desktop widths (issue 17's checks)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.helpers import goto_page, track_list, wait_idle

pytestmark = pytest.mark.browser

# text wider than its button (cut with "…"): scrollWidth beyond clientWidth
CLIPPED = """() => [...document.querySelectorAll('[data-testid="stMain"] button')]
    .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
    .map(b => b.innerText.trim() || b.getAttribute('aria-label') || b.title)"""
ROWS = """() => [...document.querySelectorAll('.mr-row')].map(r => ({
    text: r.innerText,
    like: r.querySelectorAll('button.mr-like').length,
    dislike: r.querySelectorAll('button.mr-dislike').length,
    play: r.querySelectorAll('button.mr-play').length,
    links: [...r.querySelectorAll('a')].map(a => a.href)}))"""


# a chart's title or axis title wider than the chart (Plotly never wraps them: cut at the edge)
CUT_CHART_TEXT = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
    const box = plot.getBoundingClientRect();
    return [...plot.querySelectorAll('.gtitle, .xtitle, .ytitle')]
      .filter(t => t.textContent.trim())
      .filter(t => { const r = t.getBoundingClientRect();
                     return r.left < box.left - 1 || r.right > box.right + 1
                         || r.top < box.top - 1 || r.bottom > box.bottom + 1; })
      .map(t => t.textContent.trim())
      .concat([...plot.querySelectorAll('.xtitle')].filter(t => {  // a legend over the x title
        const r = t.getBoundingClientRect();
        return [...plot.querySelectorAll('.legend')].some(l => {
          const b = l.getBoundingClientRect();
          return b.top < r.bottom && r.top < b.bottom && b.left < r.right && r.left < b.right;
        });
      }).map(t => 'legend over ' + t.textContent.trim()));
  })"""


PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)


def _device(width: int, **extra: object) -> dict:
    """A phone (its user agent, touch) at 390 px, a desktop browser otherwise."""
    phone = {"user_agent": PHONE_UA, "is_mobile": True, "has_touch": True} if width < 640 else {}
    return {"viewport": {"width": width, "height": 900}, **phone, **extra}


def _outside_requests(page, url: str) -> list[str]:
    """The URLs the page will request from any host but the app's (filled as it loads)."""
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith((url, "data:", "blob:")) else None,
    )
    return outside


@pytest.mark.parametrize("width", [390, 1280])
def test_builder_fits_links_every_row_and_asks_no_other_host(
    browser: Browser, streamlit_url: str, artifacts: Path, width: int
):
    context = browser.new_context(**_device(width))
    page = context.new_page()
    outside = _outside_requests(page, streamlit_url)
    page.goto(streamlit_url)
    wait_idle(page)
    expect(page.get_by_role("heading", name="musicrec")).to_be_visible(timeout=60_000)
    assert page.get_by_text("Deploy", exact=True).count() == 0
    if width < 640:  # on a phone the sidebar starts closed
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Playlist builder").click()
    expect(page.get_by_role("heading", name="Playlist builder")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.wait_for_timeout(700)
    if width < 640:  # choosing a page closes the sidebar again on a phone
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        expect(page.get_by_test_id("stSidebarNav")).not_to_be_in_viewport()
    rows = page.evaluate(ROWS)
    assert len(rows) == len(track_list(page)) > 0
    assert all(r["like"] == 1 and r["dislike"] == 1 for r in rows)
    # demo tracks are fictional: no link to Spotify (real rows: see test_upload_a_real_history)
    assert all(r["links"] == [] for r in rows)
    assert page.evaluate(CLIPPED) == []
    page.screenshot(path=str(artifacts / f"playlist_rows_{width}.png"), full_page=True)
    assert outside == [], outside
    context.close()


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


CONTRAST = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const paint = e => {  // the colour behind an element: its own or its nearest painted parent's
    if (e.closest('[data-testid="stSlider"]')) e = app;  // a value floats above the thumb
    for (; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0)')) return c;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll('[data-testid="stMain"] :is(p, h1, h2, h3, li, label, td, .mr-line)')]
    .filter(e => e.offsetParent !== null && e.innerText.trim())
    .slice(0, 150).map(e => [getComputedStyle(e).color, paint(e), e.innerText.slice(0, 30)]);
}"""
APP_BACKGROUND = (
    """() => getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor"""
)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
"""The README's screenshots: written by this run, every page in both themes at both widths."""
PAGES = ("Home", "Your data", "Taste profile", "Mood", "Playlist builder", "Model quality")
CHARTED = ("Taste profile", "Mood")


def _poor_contrast(texts: list) -> list:
    poor = []
    for color, bg, text in texts:
        hi, lo = sorted((_luminance(color), _luminance(bg)), reverse=True)
        if (hi + 0.05) / (lo + 0.05) < 4.5:
            poor.append((text, color, bg, round((hi + 0.05) / (lo + 0.05), 2)))
    return poor


CONTENT_HEIGHT = """() => Math.max(...['stMain', 'stAppViewContainer', 'stSidebarContent']
    .map(t => document.querySelector(`[data-testid="${t}"]`)).filter(Boolean)
    .map(e => e.scrollHeight))"""


def _whole_page_shot(page, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main container, so
    ``full_page`` alone shows one screen; the window is made as tall as the content first."""
    size = page.viewport_size
    height = min(page.evaluate(CONTENT_HEIGHT), 12_000)
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.wait_for_timeout(800)  # the charts redraw at the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_page_fits_reads_and_stays_local_in_both_themes_and_widths(
    browser: Browser, streamlit_url: str, scheme: str, width: int
):
    """Streamlit follows the system's theme. On every page, at a phone's and a desktop's width
    and in both themes: every text contrasts with the background at least 4.5 : 1 (WCAG AA),
    no button's text is cut, no "Deploy", no request to another host, and on a phone the
    sidebar is closed after choosing the page. The page is then saved for the README."""
    context = browser.new_context(**_device(width, color_scheme=scheme))
    context.set_default_timeout(90_000)  # two shared cores: a page can take a minute
    page = context.new_page()
    outside = _outside_requests(page, streamlit_url)
    page.goto(streamlit_url)
    wait_idle(page)
    for name in PAGES:
        if width < 640:
            _phone_nav(page, name)
        else:
            goto_page(page, name)
        if name in CHARTED:  # the screenshots show the charts drawn
            page.locator(".js-plotly-plot .main-svg").first.wait_for()
        if name == "Playlist builder":  # and the list (its rows are in CONTRAST)
            page.locator(".mr-line").first.wait_for()
        page.wait_for_timeout(1000)
        if width < 640:
            expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        dark_bg = _luminance(page.evaluate(APP_BACKGROUND)) < 0.2
        assert dark_bg == (scheme == "dark"), name
        texts = page.evaluate(CONTRAST)
        assert len(texts) >= 3, name
        assert not _poor_contrast(texts), (name, _poor_contrast(texts))
        assert page.evaluate(CLIPPED) == [], name
        assert page.evaluate(CUT_CHART_TEXT) == [], name
        assert page.get_by_text("Deploy", exact=True).count() == 0, name
        slug = name.lower().replace(" ", "_")
        _whole_page_shot(page, SCREENSHOTS / f"{slug}_{scheme}_{width}.png")
    assert outside == [], outside
    context.close()


def _history_with_ids(path: Path, n_tracks: int = 30) -> Path:
    rows = [
        {"ts": f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}T{i % 24:02d}:15:00Z", "ms_played": 200_000,
         "master_metadata_track_name": f"Song {i % n_tracks}",
         "master_metadata_album_artist_name": f"Band {i % n_tracks % 7}",
         "master_metadata_album_album_name": "Album", "platform": "android",
         "spotify_track_uri": f"spotify:track:{i % n_tracks:022d}"}
        for i in range(n_tracks * 6)
    ]  # fmt: skip
    path.write_text(json.dumps(rows))
    return path


def _phone_nav(page, name: str) -> None:
    """On a phone the sidebar is closed: open it, then choose the page."""
    wait_idle(page)
    if not page.get_by_test_id("stSidebarNav").is_visible():
        page.get_by_test_id("stExpandSidebarButton").click()
    goto_page(page, name)


def test_rows_with_spotify_ids_open_play_like_and_the_export_is_named_after_the_prompt(
    browser: Browser, streamlit_url: str, tmp_path: Path, artifacts: Path
):
    context = browser.new_context(**_device(390, accept_downloads=True))
    page = context.new_page()
    page.goto(streamlit_url)
    wait_idle(page)
    history = _history_with_ids(tmp_path / "Streaming_History_Audio_2025.json")
    _phone_nav(page, "Your data")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files([str(history)])
    page.get_by_role("button", name="Load these files").click()
    expect(
        page.get_by_test_id("stAlert").filter(has_text=re.compile(r"^Loaded \d"))
    ).to_be_visible()
    wait_idle(page)
    _phone_nav(page, "Playlist builder")
    page.wait_for_timeout(700)
    rows = page.evaluate(ROWS)
    assert len(rows) == len(track_list(page)) > 0
    for r in rows:
        assert r["like"] == 1 and r["dislike"] == 1 and r["play"] == 1, r["text"]
        assert [h for h in r["links"] if h.startswith("https://open.spotify.com/track/")], r
    assert page.evaluate(CLIPPED) == []
    page.locator(".mr-row").first.get_by_role("button", name="Play it here").click()
    frame = page.locator('[class*="st-key-player"] iframe')
    expect(frame).to_have_attribute(
        "src", re.compile(r"^https://open\.spotify\.com/embed/track/\w{22}$")
    )
    # offline here: Spotify's oEmbed is not reached, so the cover says so in plain words
    expect(page.get_by_text("No cover (Spotify not reached)")).to_be_visible()
    _whole_page_shot(page, SCREENSHOTS / "playlist_player_390.png")
    box = page.get_by_role("textbox", name="Say the moment in words")
    box.fill("mellow sunday morning")
    box.press("Enter")
    expect(page.get_by_text("mellow sunday morning", exact=False).first).to_be_visible()
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="M3U").click()
    assert download.value.suggested_filename == "mellow-sunday-morning.m3u"
    m3u = Path(download.value.path()).read_text()
    assert "spotify:track:" in m3u.splitlines()[3]  # a location line with the track's URI
    context.close()


def _choose(page, label: str, option: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def test_a_typed_period_applies_on_enter(browser: Browser, streamlit_url: str):
    """Type a day into the Taste page's period and press Enter: the figures change at once
    (Streamlit's own date picker ignores Enter on a typed date)."""
    context = browser.new_context(**_device(1280))
    page = context.new_page()
    page.goto(streamlit_url)
    wait_idle(page)
    goto_page(page, "Taste profile")
    plays = page.get_by_test_id("stMetricValue").first
    expect(plays).not_to_have_text("")
    everything = plays.inner_text()
    _choose(page, "Period", "2025")
    expect(plays).not_to_have_text(everything)
    in_2025 = plays.inner_text()
    _choose(page, "Period", "Pick dates…")
    expect(plays).to_have_text(everything)  # the whole span until a day is typed
    for label, day in (("From", "2025-01-01"), ("To", "2025-12-31")):
        box = page.get_by_role("textbox", name=label)
        box.fill(day)
        box.press("Enter")
        wait_idle(page)
    expect(plays).to_have_text(in_2025)
    expect(page.get_by_text("01 Jan 2025 to 31 Dec 2025, both days included.")).to_be_visible()
    box = page.get_by_role("textbox", name="To")
    box.fill("2025-13")
    box.press("Enter")
    expect(page.get_by_text("“2025-13” is not a date", exact=False)).to_be_visible()
    expect(plays).to_have_text(everything)
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_real_export_with_a_catalog_fits_every_page(
    browser: Browser, streamlit_url: str, shared_data: Path, width: int
):
    """A real extended history (4 files, 4,995 counted plays) and a real catalog, loaded
    through Your data as a person would: every page fits (no cut button, chart title or axis
    title), every builder row has like, dislike and a Spotify link, nothing asks another host.
    No screenshot: the listening is a real person's."""
    history = sorted((shared_data / "spotify-extended-history" / "efrrowini").glob("*Audio*.json"))
    catalog = (
        shared_data / "track-catalog" / "tidytuesday-30k-spotify-songs" / "spotify_songs.csv.gz"
    )
    context = browser.new_context(**_device(width))
    context.set_default_timeout(120_000)
    page = context.new_page()
    outside = _outside_requests(page, streamlit_url)
    page.goto(streamlit_url)
    wait_idle(page)
    _phone_nav(page, "Your data")
    page.locator(".st-key-history_files input[type=file]").set_input_files(history)
    page.get_by_role("button", name="Load these files").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Loaded 4,995 plays")).to_be_visible()
    wait_idle(page)
    page.get_by_role("tab", name="Upload a catalog").click()
    page.locator(".st-key-catalog_file input[type=file]").set_input_files(catalog)
    page.get_by_role("button", name="Use this catalog").click()
    expect(page.get_by_text("Catalog in use: spotify_songs.csv.gz").first).to_be_visible()
    for name in PAGES[2:]:  # Taste profile .. Model quality
        _phone_nav(page, name)
        if name in CHARTED:
            page.locator(".js-plotly-plot .main-svg").first.wait_for()
        page.wait_for_timeout(1000)
        if width < 640:
            expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        assert page.evaluate(CLIPPED) == [], name
        assert page.evaluate(CUT_CHART_TEXT) == [], name
        assert page.get_by_text("Deploy", exact=True).count() == 0, name
        if name == "Playlist builder":
            rows = page.evaluate(ROWS)
            assert len(rows) == len(track_list(page)) > 0
            for r in rows:
                assert r["like"] == 1 and r["dislike"] == 1, r["text"]
                assert [h for h in r["links"] if h.startswith("https://open.spotify.com/")], r
    assert outside == [], outside
    context.close()
