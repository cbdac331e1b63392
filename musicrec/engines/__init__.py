"""Recommendation engines sharing one contract (see ``musicrec.engines.base``)."""
