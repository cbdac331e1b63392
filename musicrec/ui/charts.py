"""The Taste page's charts, drawn with ``plotly.graph_objects``.

``plotly.express`` builds each figure in ~250 ms here (measured on the demo's frames: it
validates and reshapes through narwhals); the same figure from graph objects takes ~10 ms,
and a page with five charts is a second faster. Each helper takes a frame in the shape the
``musicrec.taste`` function gives and draws it with ``widgets.chart``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from musicrec.ui.widgets import PALETTE, chart

if TYPE_CHECKING:
    import pandas as pd


def bars(frame: pd.DataFrame, value: str, label: str, title: str, key: str) -> None:
    """Horizontal bars, the first row on top (``frame`` has columns ``value`` and ``label``)."""
    import plotly.graph_objects as go

    rows = frame[::-1]
    fig = go.Figure(
        go.Bar(x=rows[value], y=rows[label].astype(str), orientation="h", marker_color=PALETTE[0],
               hovertemplate=f"%{{y}}: %{{x:,.0f}} {value}<extra></extra>"),
        layout=dict(title=title, xaxis_title=value, yaxis=dict(automargin=True)),
    )  # fmt: skip
    chart(fig, key=key)


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


def stacked_area(frame: pd.DataFrame, x: str, y: str, color: str, title: str, key: str) -> None:
    """Stacked areas of ``y`` over ``x``, one per value of ``color`` (long frame, every ``x``
    present for every ``color``: ``taste.eras`` fills gaps with 0)."""
    import plotly.graph_objects as go

    traces = [
        go.Scatter(x=part[x], y=part[y], name=str(name), mode="lines", stackgroup="one",
                   line=dict(width=0.5, color=PALETTE[i % len(PALETTE)]),
                   hovertemplate=f"{name}: %{{y:,}} {y}<extra></extra>")
        for i, (name, part) in enumerate(frame.groupby(color, sort=False))
    ]  # fmt: skip
    chart(go.Figure(traces, layout=dict(title=title, yaxis_title=y)), key=key)
