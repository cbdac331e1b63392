"""The few named exceptions musicrec raises.

Every message names the file (or table) and says what to do about it.
"""

from __future__ import annotations


class MusicrecError(Exception):
    """Base class: anything musicrec raises on purpose."""


class UnsupportedFileError(MusicrecError):
    """A file is not one of the formats we read, or is broken (not JSON, truncated, wrong schema...)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Pickled when a worker process hands the error back (the default would pass only the message).
        return type(self), (self.path, self.problem)


class UnrecognisedFileError(UnsupportedFileError):
    """A readable file that is not one of ours (another file of the export, an empty list...).

    Inside an uploaded zip such a member is skipped; a member that is broken is an error.
    """


class FileTooLargeError(UnsupportedFileError):
    """A file (or zip member, once decompressed) is over the configured size limit."""


class UnsafeArchiveError(UnsupportedFileError):
    """A zip that looks like a zip bomb or has an entry escaping its folder."""


class SchemaError(MusicrecError):
    """A table lacks required columns."""


class CatalogError(MusicrecError):
    """A track catalog could not be read, downloaded or verified."""


class ModelFileError(MusicrecError):
    """A saved model is stale, foreign or not one we wrote; it was not loaded."""


class NotFittedError(MusicrecError, RuntimeError):
    """An engine or model was asked to score before ``fit``; call ``fit(workspace)`` first."""


class SpotifyError(MusicrecError):
    """Talking to Spotify failed; the message says why and what to do."""


class FitFailedError(MusicrecError):
    """The worker process of a fit died before it ended (e.g. the system ended it for lack of
    memory); see ``musicrec.apart``."""
