"""AppTest: the playlist builder's prompt box sets the sliders, shows chips, takes them off."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_rows
from tests.app_rows import tracks

APP = str(Path(__file__).resolve().parents[1] / "app.py")


pytestmark = pytest.mark.usefixtures("app_isolated")


@pytest.fixture
def builder() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.switch_page("pages/playlist.py").run()
    assert not at.exception, at.exception
    return at


def chips(at: AppTest) -> list[str]:
    groups = [w for w in at.main if w.type == "button_group"]
    return list(groups[0].options) if groups else []


def test_no_prompt_no_chips(builder: AppTest) -> None:
    assert chips(builder) == []
    assert builder.text_input(key="pl_prompt").value == ""


def test_prompt_sets_sliders_and_shows_chips(builder: AppTest) -> None:
    before = tracks(builder)
    builder.text_input(key="pl_prompt").input("sad rainy night, 90s, 20 songs").run()
    assert not builder.exception
    assert builder.slider(key="pl_valence").value == 0.22
    assert builder.slider(key="pl_hour").value == 22
    assert builder.slider(key="pl_length").value == 20
    assert builder.selectbox(key="pl_mood").value.startswith("custom")
    labels = chips(builder)
    assert "90s → released 1990\\-1999" in labels and len(labels) == 5
    assert any("sad rainy 90s night" in m.value for m in builder.markdown)
    after = tracks(builder)
    assert len(after) == 20 and after != before
    reasons = [r["reason"] for r in app_rows.rows(builder)]
    assert all(any(f"{y}" in t for y in range(1990, 2000)) for t in reasons), reasons


def test_taking_a_chip_off_reads_the_rest_again(builder: AppTest) -> None:
    builder.text_input(key="pl_prompt").input("sad rainy night, 90s, no rap").run()
    group = next(w for w in builder.main if w.type == "button_group")
    keep = [i for i, label in enumerate(group.options) if not label.startswith("90s")]
    group.set_value(keep).run()
    assert not builder.exception
    assert builder.text_input(key="pl_prompt").value == "sad rainy night no rap"
    assert not any(label.startswith("90s") for label in chips(builder))


def test_unknown_words_leave_the_settings(builder: AppTest) -> None:
    valence = builder.slider(key="pl_valence").value
    before = tracks(builder)
    builder.text_input(key="pl_prompt").input("zxqv blorp").run()
    assert not builder.exception
    assert builder.slider(key="pl_valence").value == valence
    assert any("settings are as they were" in m.value for m in builder.markdown)
    assert tracks(builder) == before


def test_hostile_prompt_is_shown_as_text(builder: AppTest) -> None:
    builder.text_input(key="pl_prompt").input("**bold** [x](http://evil.example) jazz").run()
    assert not builder.exception
    line = next(m.value for m in builder.markdown if "Not understood" in m.value)
    assert "](http" not in line
