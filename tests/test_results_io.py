"""Benchmarks keep people's own figures off the repo (the shared data's MANIFEST asks it)."""

import json

from benchmarks import results_io
from benchmarks.bench_evaluate import evaluation_result


def test_people_are_left_out_of_the_committed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(results_io, "RESULTS", tmp_path)
    monkeypatch.setattr(results_io, "LOCAL", tmp_path / "local")
    result = {
        "median": {"ndcg@10": 0.5},
        "people": {"ann": {"ndcg@10": 0.4}, "bob": {"ndcg@10": 0.6}},
        "largest_history": "bob",
        "rows": [{"ann": 1, "n": 2}],
    }
    public, local = results_io.write_results("x.json", result, {"ann", "bob"})
    assert json.loads(public.read_text()) == {
        "median": {"ndcg@10": 0.5},
        "people": {},
        "largest_history": "(a shared history)",
        "rows": [{"n": 2}],
    }
    assert json.loads(local.read_text()) == result
    assert result["people"]["ann"] == {"ndcg@10": 0.4}  # the input is not changed


def test_evaluation_medians_over_people():
    def person(ndcg):
        return {"tables": {"start": [{"model": "frequency", "ndcg@10": ndcg, "beats": False}]}}

    out = evaluation_result({"a": person(0.1), "b": person(0.2), "c": person(0.6)})
    assert out["people"] == 3
    assert out["median"] == {"start": {"frequency": {"ndcg@10": 0.2}}}
