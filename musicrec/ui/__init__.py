"""Everything Streamlit: the only part of musicrec that imports it (besides ``app.py`` and ``pages/``).

- ``state``: this browser session's data, by name (pages never read raw session keys).
- ``cache``: the cached demo, its fitted model and the feedback store.
- ``widgets``: the sidebar, empty states, charts, progress and the playlist controls.
- ``spotify_panel``: connect / import / disconnect and "Save to Spotify".

Pages use ``from musicrec import ui`` and the names re-exported here.
"""

from musicrec.ui.cache import demo_data, demo_hybrid, demo_workspace, feedback_store
from musicrec.ui.spotify_panel import handle_spotify_return, save_to_spotify_button, spotify_panel
from musicrec.ui.state import (
    catalog_name,
    evaluation_inputs,
    has_upload,
    hybrid,
    init_state,
    is_demo,
    last_report,
    quality_result,
    raw_plays,
    rule,
    session_id,
    set_catalog,
    set_last_report,
    set_quality_result,
    set_upload,
    source_label,
    upload_summary,
    use_demo,
    use_upload,
    workspace,
)
from musicrec.ui.widgets import (
    PlaylistSettings,
    chart,
    empty_state,
    format_report,
    plain,
    playlist_controls,
    progress_callback,
    require_plays,
    sidebar,
)

__all__ = [
    "PlaylistSettings",
    "catalog_name",
    "chart",
    "demo_data",
    "demo_hybrid",
    "demo_workspace",
    "empty_state",
    "evaluation_inputs",
    "feedback_store",
    "format_report",
    "handle_spotify_return",
    "has_upload",
    "hybrid",
    "init_state",
    "is_demo",
    "last_report",
    "plain",
    "playlist_controls",
    "progress_callback",
    "quality_result",
    "raw_plays",
    "require_plays",
    "rule",
    "save_to_spotify_button",
    "session_id",
    "set_catalog",
    "set_last_report",
    "set_quality_result",
    "set_upload",
    "sidebar",
    "source_label",
    "spotify_panel",
    "upload_summary",
    "use_demo",
    "use_upload",
    "workspace",
]
