"""One load report: what was read, what counts, and what was set apart and why.

The UI and the CLI show the same figures from ``load_report``, so the number of plays
is the same everywhere for the same data and counting rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from musicrec import schema as S
from musicrec.config import DEFAULT_COUNTING, CountingRule
from musicrec.history.counting import apply_counting_rule, set_apart
from musicrec.history.load import SKIPPED, IngestResult

__all__ = ["LoadReport", "load_report"]


@dataclass(frozen=True)
class LoadReport:
    """The figures of one load under one counting rule."""

    files: int
    """Files (or zip members) that loaded: gave plays or library rows."""
    not_listening: int
    """Files that hold no listening (other files of an account export), skipped."""
    failed: int
    """Files that could not be read (each has its error in the per-file report)."""
    records: int
    """Records in the files that loaded (plays, library entries)."""
    plays: int
    """Plays that count under the rule."""
    hours: float
    """Hours of the plays that count (plays without a duration count 0)."""
    library: int
    """Liked and playlist tracks."""
    set_apart: dict[str, int]
    """Plays set apart, by reason: podcast, short, unknown, duplicate, bad."""
    hours_apart: dict[str, float]
    """Hours of the plays set apart by the counting rule: podcast, short, unknown."""
    merged: int
    """Of the duplicates: plays found both in extended history and in account data."""
    shows: tuple[str, ...]
    """Artists taken for shows (podcasts, audiobooks) from what their plays look like."""
    errors: tuple[str, ...]
    """The message of each file that could not be read, whole."""

    def as_dict(self) -> dict:
        """The report as plain JSON-ready values."""
        return {
            "files": self.files,
            "not_listening": self.not_listening,
            "failed": self.failed,
            "records": self.records,
            "plays": self.plays,
            "hours": round(self.hours, 2),
            "library": self.library,
            "set_apart": dict(self.set_apart),
            "hours_apart": {k: round(v, 2) for k, v in self.hours_apart.items()},
            "merged": self.merged,
            "shows": list(self.shows),
            "errors": list(self.errors),
        }

    def summary(self) -> str:
        """The report in one or two plain sentences."""
        text = f"{self.plays:,} plays ({self.hours:,.0f} h) from {self.files} file(s)"
        apart = [f"{n:,} {_WORDS[k]}" for k, n in self.set_apart.items() if n and k in _WORDS]
        if apart:
            text += "; set apart: " + ", ".join(apart)
        if self.merged:
            text += f" ({self.merged:,} found in both the extended and the account data)"
        if self.not_listening:
            text += f"; {self.not_listening} file(s) hold no listening"
        if self.failed:
            text += f"; {self.failed} file(s) could not be read"
        return text + "."


_WORDS = {
    "podcast": "podcast/audiobook plays",
    "short": "plays under the minimum time",
    "unknown": "unknown tracks",
    "duplicate": "repeated plays",
    "bad": "records with unreadable values",
}


def load_report(result: IngestResult, rule: CountingRule = DEFAULT_COUNTING) -> LoadReport:
    """The figures of ``result`` under ``rule``.

    When the result was loaded with a rule already (``result.rule``), its plays are the
    counted ones and that rule's figures are used; ``rule`` is then ignored.
    """
    if result.rule is not None:
        rule = result.rule
        counted = result.plays
        apart = result.set_apart_by_rule or {}
    else:
        counted = apply_counting_rule(result.plays, rule)
        apart = set_apart(result.plays, rule)
    loaded = [r for r in result.reports if r.loaded]
    ms = counted[S.MS_PLAYED].astype("Float64").fillna(0).astype(float)
    set_apart_counts = {k: int(v["plays"]) for k, v in apart.items()}
    set_apart_counts["duplicate"] = result.duplicates
    set_apart_counts["bad"] = sum(r.bad for r in result.reports)
    return LoadReport(
        files=len(loaded),
        not_listening=sum(r.format == SKIPPED for r in result.reports),
        failed=len(result.errors),
        records=sum(r.records for r in loaded),
        plays=len(counted),
        hours=float(ms.sum() / 3_600_000),
        library=len(result.library),
        set_apart=set_apart_counts,
        hours_apart={k: float(v["hours"]) for k, v in apart.items()},
        merged=result.merged,
        shows=tuple(result.shows["artist"]),
        errors=tuple(r.error for r in result.errors if r.error),
    )
