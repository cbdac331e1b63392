"""The Taste and Mood pages' charts, drawn with ``plotly.graph_objects``.

``plotly.express`` builds each figure in ~250 ms here (measured on the demo's frames: it
validates and reshapes through narwhals); the same figure from graph objects takes ~10 ms,
and a page with five charts is a second faster. Each helper takes a frame in the shape the
``musicrec.taste`` or ``musicrec.mood_stats`` function gives and draws it with
``widgets.chart``. Mood charts colour each mood with ``MOOD_COLORS``, the same in every chart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from musicrec.engines.base import MOODS
from musicrec.ui.widgets import MOOD_COLORS, PALETTE, chart

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd


def bars(
    frame: pd.DataFrame, value: str, label: str, title: str, key: str,
    value_title: str | None = None, value_format: str = ",.0f", height: int = 380,
) -> None:  # fmt: skip
    """Horizontal bars, the first row on top (``frame`` has columns ``value`` and ``label``);
    the value axis is titled ``value_title`` (default: ``value``), hover values use the d3
    ``value_format``."""
    import plotly.graph_objects as go

    rows = frame[::-1]
    unit = "" if value_title else f" {value}"
    fig = go.Figure(
        go.Bar(x=rows[value], y=_hover_safe(rows[label]), orientation="h", marker_color=PALETTE[0],
               hovertemplate=f"%{{y}}: %{{x:{value_format}}}{unit}<extra></extra>"),
        layout=dict(title=title, yaxis=dict(automargin=True),
                    xaxis=dict(title=value_title or value,
                               tickformat=value_format if "%" in value_format else None)),
    )  # fmt: skip
    chart(fig, key=key, height=height)


def heatmap(grid: pd.DataFrame, x_title: str, title: str, key: str) -> None:
    """A grid of counts (index rows, columns along x), darker green for more."""
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Heatmap(z=grid.to_numpy(), x=list(grid.columns), y=list(grid.index),
                   colorscale="Greens", colorbar=dict(title="plays"),
                   hovertemplate="%{y} %{x}:00: %{z:,} plays<extra></extra>"),
        layout=dict(title=title, xaxis_title=x_title, yaxis=dict(autorange="reversed")),
    )  # fmt: skip
    chart(fig, key=key)


def grouped_bars(
    frame: pd.DataFrame, category: str, groups: list[str], title: str, key: str
) -> None:
    """One bar per group (a column of ``frame``) for each ``category`` value."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [go.Bar(x=frame[category], y=frame[g], name=g, marker_color=PALETTE[i % len(PALETTE)])
         for i, g in enumerate(groups)],
        layout=dict(title=title, barmode="group", yaxis_title="mean (0-1)"),
    )  # fmt: skip
    chart(fig, key=key)


def stacked_area(
    frame: pd.DataFrame, x: str, y: str, color: str, title: str, key: str, x_title: str = ""
) -> None:
    """Stacked areas of ``y`` over ``x``, one per value of ``color`` (long frame, every ``x``
    present for every ``color``: ``taste.eras`` fills gaps with 0)."""
    import plotly.graph_objects as go

    traces = [
        go.Scatter(x=part[x], y=part[y], name=str(name), mode="lines", stackgroup="one",
                   line=dict(width=0.5, color=PALETTE[i % len(PALETTE)]),
                   hovertemplate=f"{name}: %{{y:,}} {y}<extra></extra>")
        for i, (name, part) in enumerate(frame.groupby(color, sort=False))
    ]  # fmt: skip
    layout = dict(title=title, yaxis_title=y, xaxis_title=x_title or None)
    chart(go.Figure(traces, layout=layout), key=key)


def _hover_safe(values: pd.Series) -> list[str]:
    """Untrusted names for a hover label: Plotly reads ``<b>``, ``<a href>``... in any text it
    draws, so ``<`` and ``>`` are written as entities and show as typed."""
    return [str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for v in values]


def _moods_in(frame: pd.DataFrame) -> list[str]:
    """The moods present in ``frame["mood"]``, in ``MOODS`` order (the legend's order)."""
    present = set(frame["mood"].dropna())
    return [m for m in MOODS if m in present]


def mood_bars(dist: pd.DataFrame, title: str, key: str) -> None:
    """One bar per mood with its share as a % label (``dist``: columns mood, share)."""
    import plotly.graph_objects as go

    colors = [MOOD_COLORS.get(m, PALETTE[-1]) for m in dist["mood"]]
    fig = go.Figure(
        go.Bar(x=dist["mood"], y=dist["share"], marker_color=colors, texttemplate="%{y:.0%}",
               textangle=0, cliponaxis=False,
               hovertemplate="%{x}: %{y:.1%} of your listening<extra></extra>"),
        layout=dict(title=title, yaxis=dict(title="share of listening", tickformat=".0%"),
                    showlegend=False),
    )  # fmt: skip
    chart(fig, key=key)


def mood_plane(pts: pd.DataFrame, title: str, key: str) -> None:
    """Tracks on the valence x energy square, sized by plays, one colour per top mood
    (``pts``: columns valence, energy, plays, mood, track, artist), dotted midlines."""
    import plotly.graph_objects as go

    sizeref = 2.0 * max(float(pts["plays"].max()), 1.0) / 20**2  # the largest dot 20 px across
    traces = []
    for mood in _moods_in(pts):
        part = pts[pts["mood"] == mood]
        traces.append(
            go.Scatter(x=part["valence"], y=part["energy"], mode="markers", name=mood,
                       marker=dict(size=part["plays"], sizemode="area", sizeref=sizeref, sizemin=2,
                                   color=MOOD_COLORS.get(mood, PALETTE[-1])),
                       customdata=list(zip(_hover_safe(part["track"]), _hover_safe(part["artist"]),
                                           part["plays"], strict=True)),
                       hovertemplate="%{customdata[0]} · %{customdata[1]}<br>%{customdata[2]:,} "
                                     "plays, valence %{x:.2f}, energy %{y:.2f}<extra>" + mood
                                     + "</extra>")
        )  # fmt: skip
    fig = go.Figure(
        traces,
        layout=dict(title=title, xaxis=dict(title="valence", range=[0, 1]),
                    yaxis=dict(title="energy", range=[0, 1])),
    )  # fmt: skip
    fig.add_hline(y=0.5, line_dash="dot", opacity=0.4)
    fig.add_vline(x=0.5, line_dash="dot", opacity=0.4)
    chart(fig, key=key)


def mood_areas(
    frame: pd.DataFrame, x: str, x_title: str, title: str, key: str,
    every_x: Sequence | None = None,
) -> None:  # fmt: skip
    """Each mood's share stacked over ``x`` (long ``frame``: columns ``x``, mood, share).

    With ``every_x`` (e.g. the 24 hours), an ``x`` without plays is drawn empty (share 0) and
    named under the chart, instead of a straight line drawn across it."""
    import plotly.graph_objects as go

    traces = []
    for mood in _moods_in(frame):
        part = frame[frame["mood"] == mood].set_index(x)["share"]
        if every_x is not None:
            part = part.reindex(list(every_x), fill_value=0.0)
        color = MOOD_COLORS.get(mood, PALETTE[-1])  # the fill: this colour, half opaque
        traces.append(
            go.Scatter(x=part.index, y=part.to_numpy(), name=mood, mode="lines", stackgroup="one",
                       line=dict(width=0.5, color=color),
                       hovertemplate=f"{mood}: %{{y:.0%}}<extra></extra>")
        )  # fmt: skip
    layout = dict(title=title, xaxis_title=x_title, legend_traceorder="normal",  # as the bars
                  yaxis=dict(title="share of listening", tickformat=".0%"))  # fmt: skip
    chart(go.Figure(traces, layout=layout), key=key)
    empty = [] if every_x is None else sorted(set(every_x) - set(frame[x]))
    if empty:
        st.caption(f"No plays with a mood at {x} {_runs(empty)}: left empty.")


def _runs(values: list[int]) -> str:
    """[2, 3, 4, 9] -> "2–4 and 9" (runs of consecutive numbers)."""
    runs: list[list[int]] = []
    for v in values:
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    words = [f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def line(
    frame: pd.DataFrame, x: str, y: str, title: str, key: str, y_title: str,
    y_range: tuple[float, float], height: int = 380,
) -> None:  # fmt: skip
    """One line with markers of ``y`` over ``x``, a dotted line at 0."""
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Scatter(x=frame[x], y=frame[y], mode="lines+markers", marker_color=PALETTE[1],
                   line_color=PALETTE[1], hovertemplate="%{x}: %{y:.2f}<extra></extra>"),
        layout=dict(title=title, yaxis=dict(title=y_title, range=list(y_range))),
    )  # fmt: skip
    fig.add_hline(y=0, line_dash="dot", opacity=0.4)
    chart(fig, key=key, height=height)
