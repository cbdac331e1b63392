"""The Model quality page's result: per task a chart of NDCG@10 and a table in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from musicrec.ui import charts

if TYPE_CHECKING:
    from musicrec.evaluation import EvaluationResult

TASKS = {"start": "Start of session", "continuation": "Continuation", "discovery": "Discovery"}
LABELS = {"model": "Engine or rule", "r-precision": "R-precision", "mrr": "MRR"}
"""Column headers the metric names do not give by capitalising (see ``_label``)."""


def _label(column: str) -> str:
    """``ndcg@10`` -> ``NDCG@10``, ``hitrate@10`` -> ``Hit rate@10``, ``coverage`` -> ``Coverage``."""
    if column in LABELS:
        return LABELS[column]
    name, at, k = column.partition("@")
    if at:
        word = {"hitrate": "Hit rate", "precision": "Precision", "recall": "Recall"}
        return word.get(name, name.upper()) + at + k
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _columns(table) -> dict:
    """Every score with two decimals (so 0.85 sits next to 0.47), counts with separators."""
    import pandas as pd

    config = {}
    for col in table.columns:
        if pd.api.types.is_integer_dtype(table[col]):
            config[col] = st.column_config.NumberColumn(_label(col), format="localized")
        elif pd.api.types.is_numeric_dtype(table[col]):
            config[col] = st.column_config.NumberColumn(_label(col), format="%.2f")
        else:
            config[col] = st.column_config.TextColumn(_label(col))
    return config


def result_section(result: EvaluationResult) -> None:
    """The measured tables, one per task: the chart of NDCG@10, then every metric."""
    tuned = "; ".join(
        f"{TASKS.get(task, task).lower()}: "
        + ", ".join(f"{part.replace('_', '-')} {w:.2g}" for part, w in parts.items() if w > 0)
        for task, parts in result.weights.items()
    )
    st.caption(
        f"{result.sessions:,} test sessions. Hybrid weights tuned on the training period "
        f"(parts not named are off): {tuned}."
    )
    for task, table in result.tables.items():
        st.subheader(TASKS.get(task, task))
        rows = table.reset_index()
        charts.bars(rows, "ndcg@10", "model", "How high what you played ranks",
                    key=f"q_{task}", value_title="NDCG@10 (higher is better)",
                    value_format=".2f", height=360)  # fmt: skip
        st.dataframe(rows, hide_index=True, key=f"qt_{task}", column_config=_columns(rows))
