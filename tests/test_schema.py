"""The table contracts: one as_* function per table, called where frames enter."""

from __future__ import annotations

import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.errors import SchemaError

TABLES = [
    (S.as_plays, S.PLAYS_TYPES, {S.TS: ["2024-01-01T08:00:00Z"], S.TRACK: ["t"], S.ARTIST: ["a"]}),
    (S.as_library, S.LIBRARY_TYPES, {S.LIB_KIND: ["liked"], S.TRACK: ["t"], S.ARTIST: ["a"]}),
    (S.as_catalog, S.CATALOG_TYPES, {S.TRACK_ID: ["x"], S.TRACK: ["t"], S.ARTISTS: ["a"]}),
    (S.as_items, S.ITEM_TYPES, {S.ITEM_ID: ["x"], S.TRACK: ["t"], S.ARTIST: ["a"]}),
    (S.as_interactions, S.INTERACTION_TYPES, {S.USER: ["u"], S.ITEM: ["x"]}),
]


@pytest.mark.parametrize(("conform", "types", "minimal"), TABLES)
def test_minimal_frame_gets_every_column_in_order_with_its_type(conform, types, minimal):
    given = pd.DataFrame({**minimal, "extra": [1]})
    before = given.copy()
    got = conform(given)
    assert list(got.columns) == list(types)
    assert {c: str(t) for c, t in got.dtypes.items()} == {
        c: str(pd.api.types.pandas_dtype(t)) for c, t in types.items()
    }
    pd.testing.assert_frame_equal(given, before)  # the input is left alone


@pytest.mark.parametrize(("conform", "types", "minimal"), TABLES)
def test_missing_required_column_is_named(conform, types, minimal):
    first = next(iter(minimal))
    given = pd.DataFrame({k: v for k, v in minimal.items() if k != first})
    with pytest.raises(SchemaError, match=first):
        conform(given, "my table")


def test_plays_defaults_and_casts():
    got = S.as_plays(
        pd.DataFrame(
            {
                S.TS: ["2024-01-01 08:00"],
                S.TRACK: ["t"],
                S.ARTIST: ["a"],
                S.MS_PLAYED: [180000.4],
                S.SKIPPED: [None],
            }
        )
    )
    row = got.iloc[0]
    assert row[S.TS] == pd.Timestamp("2024-01-01 08:00", tz="UTC")
    assert row[S.KIND] == S.KIND_MUSIC  # absent kind means music
    assert row[S.MS_PLAYED] == 180000
    assert pd.isna(row[S.SKIPPED]) and pd.isna(row[S.ALBUM])


def test_text_with_nan_missing_values_becomes_string_with_na():
    """pandas 3 infers "str" (missing = NaN) for text; the contract is "string" (missing = <NA>)."""
    got = S.as_interactions(pd.DataFrame({S.USER: ["u", None], S.ITEM: ["x", "y"]}))
    assert got[S.USER].dtype == pd.StringDtype()
    assert got[S.USER].isna().tolist() == [False, True]
    assert got[S.WEIGHT].tolist() == [1.0, 1.0]


def test_items_defaults():
    got = S.as_items(pd.DataFrame({S.ITEM_ID: ["x"], S.TRACK: ["t"], S.ARTIST: ["a"]}))
    assert got[S.TAGS].tolist() == [""]
    assert got[S.FEATURE_SOURCE].tolist() == ["none"]
    assert got[S.IN_CATALOG].tolist() == [False]
