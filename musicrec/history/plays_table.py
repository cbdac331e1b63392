"""PLAYS as an Arrow table while files are being loaded.

Parsers give back one Arrow table per file (``SCHEMA``): cheap to build from columns,
to send back from a worker process and to concatenate. ``to_plays`` then deduplicates
and orders all of them with a single row take and converts once to the pandas PLAYS
frame of ``musicrec.schema`` (the only form that leaves ``musicrec.history``).

Low-cardinality text columns (kind, reasons, platform, country, source) travel
dictionary-encoded, so taking rows moves small integers and the strings are written
once, in their final order.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from musicrec import schema as S

TEXT = pa.large_string()  # what pandas' "string" dtype stores
CODED = pa.dictionary(pa.int32(), TEXT)
CODED_COLUMNS = frozenset({S.KIND, S.REASON_START, S.REASON_END, S.PLATFORM, S.COUNTRY, S.SOURCE})
_NOT_TEXT = {
    S.TS: pa.timestamp("ns", tz="UTC"),  # never missing: parsers drop plays without a time
    S.MS_PLAYED: pa.int64(),
    S.SKIPPED: pa.bool_(),
    S.SHUFFLE: pa.bool_(),
}
SCHEMA = pa.schema(
    [
        (name, _NOT_TEXT.get(name, CODED if name in CODED_COLUMNS else TEXT))
        for name in S.PLAYS_COLUMNS
    ]
)
"""Arrow form of PLAYS_COLUMNS (same order); dictionary-encoded text for CODED_COLUMNS."""

DEDUPE_KEYS = (S.TS, S.MS_PLAYED, S.ARTIST, S.TRACK)
"""A play is a repeat of an earlier one when all of these are equal (missing equals missing)."""

_PANDAS_TYPES = {
    TEXT: pd.StringDtype("pyarrow"),
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def empty() -> pa.Table:
    """A PLAYS table with no rows."""
    return SCHEMA.empty_table()


def constant(value: str, n: int) -> pa.DictionaryArray:
    """``n`` copies of one text value (e.g. the source file), stored once."""
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([value], type=TEXT)
    )


def coded(
    values: pa.Array, labels: Callable[[str], str | None] | None = None
) -> pa.DictionaryArray:
    """Dictionary-encode text, optionally relabelling each distinct value once (None -> missing).

    ``labels`` runs once per distinct value, so a mapping over a million rows with ten
    distinct values costs ten calls.
    """
    encoded = pc.dictionary_encode(values.cast(TEXT))
    if labels is None:
        return encoded
    new = [labels(v) for v in encoded.dictionary.to_pylist()]
    kept = sorted({v for v in new if v is not None})
    where = {v: i for i, v in enumerate(kept)}
    remap = np.array([where.get(v, -1) for v in new] + [-1], dtype=np.int32)  # last: missing
    idx = remap[encoded.indices.fill_null(len(new)).to_numpy()]
    return pa.DictionaryArray.from_arrays(pa.array(idx, mask=idx < 0), pa.array(kept, type=TEXT))


def from_frame(frame: pd.DataFrame) -> pa.Table:
    """A pandas PLAYS frame (all PLAYS_COLUMNS, contract dtypes) as a PLAYS table."""
    table = pa.Table.from_pandas(frame.loc[:, list(S.PLAYS_COLUMNS)], preserve_index=False)
    return table.replace_schema_metadata(None).cast(SCHEMA)


def _ordered_first_rows(table: pa.Table) -> np.ndarray:
    """Row positions ordered by ts (stable), keeping the first of each repeated play.

    Repeats share their ts, so after a stable sort by ts they sit in the same run of equal
    timestamps, in table order. Only rows in such runs (few: plays within the same second,
    or minute for minute-resolution exports) are compared on all of DEDUPE_KEYS.
    """
    ts = table[S.TS].cast(pa.int64()).to_numpy()
    order = np.arange(len(ts)) if (ts[1:] >= ts[:-1]).all() else np.argsort(ts, kind="stable")
    sorted_ts = ts[order]
    same = sorted_ts[1:] == sorted_ts[:-1]
    if not same.any():
        return order
    in_run = np.zeros(len(ts), dtype=bool)
    in_run[1:] |= same
    in_run[:-1] |= same
    candidates = order[in_run]
    keys = pa.table({name: table[name].take(candidates) for name in DEDUPE_KEYS})
    repeated = keys.to_pandas(types_mapper=_PANDAS_TYPES.get).duplicated(keep="first").to_numpy()
    keep = np.ones(len(ts), dtype=bool)
    keep[np.flatnonzero(in_run)[repeated]] = False
    return order[keep]


def _take(column: pa.ChunkedArray, rows: pa.Array) -> pa.Array:
    whole = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    taken = whole.take(rows)
    if isinstance(taken, pa.DictionaryArray):
        return taken.dictionary.take(taken.indices)  # decode, in final order
    return taken


def to_plays(tables: list[pa.Table]) -> pd.DataFrame:
    """Concatenate PLAYS tables, drop repeated plays (first wins) and order by ts (stable).

    Returns:
        The pandas PLAYS frame (PLAYS_COLUMNS with the dtypes of ``schema.empty_plays``).
    """
    if not tables:
        return S.empty_plays()
    table = pa.concat_tables(tables).unify_dictionaries()
    indices = pa.array(_ordered_first_rows(table))
    with ThreadPoolExecutor(max_workers=2) as pool:  # Arrow releases the GIL while taking
        columns = list(pool.map(lambda name: _take(table[name], indices), SCHEMA.names))
    result = pa.Table.from_arrays(columns, names=SCHEMA.names)
    return result.to_pandas(types_mapper=_PANDAS_TYPES.get)
