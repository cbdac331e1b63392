"""Evaluation on real listening: metrics and the protocol (the command is ``musicrec evaluate``)."""

from __future__ import annotations

from musicrec.evaluation.protocol import EvaluationResult, ProtocolConfig, evaluate_history

__all__ = ["EvaluationResult", "ProtocolConfig", "evaluate_history"]
