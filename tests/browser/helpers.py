"""Small helpers shared by the browser test and the browser benchmark."""

from __future__ import annotations

import re

from playwright.sync_api import Page

TRACK_LINE = re.compile(r"^\d+\. .+ · .+")


def wait_idle(page: Page, timeout: float = 120_000) -> None:
    # two cores shared by many processes: a first demo page can take a minute to compute
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=timeout
    )


def goto_page(page: Page, name: str) -> None:
    wait_idle(page)  # a nav click during a rerun can be lost
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    heading = "musicrec" if name == "Home" else name
    page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    wait_idle(page)


def track_list(page: Page) -> list[str]:
    """The builder's track lines ("1. Title · Artist"), once its list is drawn (its rows are
    drawn by the component's script once it has loaded: musicrec/ui/track_list.py)."""
    page.locator(".mr-line").first.wait_for(timeout=60_000)
    texts = page.locator(".mr-line").all_inner_texts()
    return [line for t in texts for line in t.splitlines() if TRACK_LINE.match(line)]


def slider(page: Page, label: str):
    return page.get_by_test_id("stSlider").filter(has_text=label).get_by_role("slider")
