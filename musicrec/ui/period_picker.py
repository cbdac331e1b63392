"""The Taste page's period: a ready-made choice, or two typed days that apply on Enter.

Streamlit's ``st.date_input`` (1.67) does not apply a date typed into it when Enter is
pressed, only one clicked in its calendar; a text input applies on Enter (or on leaving the
field), so the typed days are two text inputs read by ``musicrec.taste.typed_period``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import streamlit as st

from musicrec import taste

if TYPE_CHECKING:
    import pandas as pd

PICK = "taste_period_pick"
FROM = "taste_from"
TO = "taste_to"


def period_picker(plays: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """Show the period choice; return its (first day, last day) within the plays' span.

    Typed days that are not dates (or leave no day of the plays) get a plain message and the
    whole span is used until they are fixed.
    """
    choices = taste.period_choices(plays)
    pick = st.selectbox("Period", [*choices, taste.PICK_DATES], key=PICK)
    if pick != taste.PICK_DATES:
        return choices[pick]
    first, last = taste.date_span(plays)
    hint = f"Type {taste.TYPED_DAY_HINT}, then press Enter."
    c1, c2 = st.columns(2)
    start = c1.text_input("From", first.isoformat(), key=FROM, help=hint)
    end = c2.text_input("To", last.isoformat(), key=TO, help=hint)
    try:
        period = taste.typed_period(start, end, plays)
    except ValueError as e:
        st.text(f"{e} Showing all of your plays meanwhile.")  # quotes typed text: never Markdown
        return first, last
    st.caption(f"{period[0]:%d %b %Y} to {period[1]:%d %b %Y}, both days included.")
    return period
