"""Discovery through track credits: artists credited with the ones a person plays."""

import numpy as np
import pandas as pd
import pytest

from musicrec import schema as S
from musicrec.evaluation.discovery import co_credits, credit_strength


def test_co_credits_pairs_each_credit_string_once_in_both_directions():
    credits = pd.Series(
        ["Daft Punk;Pharrell Williams", "Daft Punk;Pharrell Williams", "Daft Punk;Nile Rodgers",
         "Adele", "Beyoncé;Jay-Z", "Beyonce;Jay-Z;Kendrick Lamar", None]
    )  # fmt: skip
    pairs = co_credits(credits).set_index(["artist", "other"])["tracks"]
    assert pairs[("daft punk", "pharrell williams")] == 1  # the repeated string counts once
    assert pairs[("pharrell williams", "daft punk")] == 1
    assert pairs[("beyonce", "jay z")] == 2  # accents folded: both strings name the same pair
    assert ("adele", "adele") not in pairs.index and "adele" not in pairs.index.get_level_values(0)
    assert len(pairs) == 2 * 5  # dp-pw, dp-nr, b-jz, b-kl, jz-kl


def test_credit_strength_sums_log_plays_times_shared_tracks():
    pairs = pd.DataFrame(
        {"artist": ["a", "a", "b", "x"], "other": ["c", "d", "c", "y"], "tracks": [2, 1, 1, 5]}
    )
    counts = pd.Series({"a": 3, "b": 7})
    got = credit_strength(counts, pairs, pd.Index(["c", "d", "y", "z"]))
    assert got == pytest.approx([2 * np.log(4) + np.log(8), np.log(4), 0.0, 0.0])


def test_artist_discovery_with_credits_finds_the_collaborator(quiet_then_hush_plays):
    """The community knows nothing linking Quiet to Hush (their fans never overlap) and prefers
    Loud; a catalog credits Quiet and Hush on one track. With credits the hybrid ranks Hush first."""
    from musicrec.engines.collaborative import CollaborativeConfig, CommunityModel
    from musicrec.evaluation.discovery import artist_discovery

    pairs = [(u, "quiet") for u in range(3)] + [(u, "hush") for u in range(3, 5)]
    pairs += [(u, a) for u in range(5, 30) for a in ("loud", "beat")]
    community = pd.DataFrame(
        {S.USER: [str(u) for u, _ in pairs], S.ITEM: [a for _, a in pairs], S.WEIGHT: 5.0}
    )
    model = CommunityModel(CollaborativeConfig(min_item_users=1, l2=1.0)).fit(community)
    plays = quiet_then_hush_plays
    credits = co_credits(pd.Series(["Quiet;Hush", "Loud;Beat"]))
    table = artist_discovery(plays, model, credits=credits)
    assert table.loc["credits", "ndcg@10"] == pytest.approx(1.0)
    assert table.loc["hybrid", "ndcg@10"] == pytest.approx(1.0)
    assert table.loc["popularity", "ndcg@10"] < 1.0
    assert "collaborative + popularity" in table.index
