"""Everything Streamlit: the only part of musicrec that imports it (besides ``app.py`` and ``pages/``).

- ``state``: this browser session's data, by name (pages never read raw session keys).
- ``cache``: the cached demo, its fitted model and the feedback store.
- ``widgets``: the sidebar, empty states, charts, progress and the playlist controls.
- ``prompt_box``: the builder's prompt (say the moment in words), its chips and its list.
- ``weights``: the builder's blend sliders, starting at the weights tuned on this data.
- ``spotify_panel``: connect / import / disconnect and "Save to Spotify".
- ``catalog_panel``: the free catalogs, catalog uploads, the match report, the Mood page's
  sound provenance, the MusicBrainz opt-in and the builder's control-reach caption.
- ``sessions``: ends the sessions that are gone, so their data leaves the server.
- ``quality_view``: the Model quality page's measured tables and charts.
- ``history_choices``: shows set apart (and moved back), a zone per period, on Your data.
- ``period_picker``: the Taste page's period, ready-made or typed days applied on Enter.

Pages use ``from musicrec import ui`` and the names re-exported here.
"""

from musicrec.ui.cache import demo_data, demo_hybrid, demo_workspace, feedback_store
from musicrec.ui.catalog_panel import (
    catalog_offer,
    catalog_section,
    control_reach_caption,
    match_report_section,
    musicbrainz_panel,
    sound_view,
)
from musicrec.ui.history_choices import podcast_section, zone_periods_section
from musicrec.ui.period_picker import period_picker
from musicrec.ui.prompt_box import (
    list_title,
    prompt_box,
    prompt_list,
    prompt_lookups,
    taste_caption,
)
from musicrec.ui.quality_view import result_section as quality_result_section
from musicrec.ui.sessions import follow_this_session
from musicrec.ui.spotify_panel import handle_spotify_return, save_to_spotify_button, spotify_panel
from musicrec.ui.state import (
    catalog_name,
    evaluation_inputs,
    forget_my_data,
    has_upload,
    hybrid,
    init_state,
    is_demo,
    is_served,
    kept_files,
    kept_where,
    last_report,
    load_mapped,
    pop_keep_error,
    quality_result,
    raw_plays,
    read_uploads,
    rule,
    session_id,
    set_catalog,
    set_last_report,
    set_quality_result,
    set_timezone,
    set_upload,
    source_label,
    through_the_app,
    timezone,
    upload_summary,
    use_demo,
    use_upload,
    workspace,
)
from musicrec.ui.track_list import track_list
from musicrec.ui.weights import background_progress, starting_table, tune_in_background
from musicrec.ui.widgets import (
    MOOD_COLORS,
    PlaylistSettings,
    chart,
    contributions,
    empty_state,
    energy_chart,
    export_buttons,
    format_report,
    kept_table,
    mapping_form,
    plain,
    play_here,
    player,
    playlist_controls,
    progress_callback,
    require_plays,
    sidebar,
    table,
    timezone_picker,
)

__all__ = [
    "MOOD_COLORS",
    "PlaylistSettings",
    "background_progress",
    "catalog_name",
    "catalog_offer",
    "catalog_section",
    "chart",
    "contributions",
    "control_reach_caption",
    "demo_data",
    "demo_hybrid",
    "demo_workspace",
    "empty_state",
    "energy_chart",
    "evaluation_inputs",
    "export_buttons",
    "feedback_store",
    "follow_this_session",
    "forget_my_data",
    "format_report",
    "handle_spotify_return",
    "has_upload",
    "hybrid",
    "init_state",
    "is_demo",
    "is_served",
    "kept_files",
    "kept_table",
    "kept_where",
    "last_report",
    "list_title",
    "load_mapped",
    "mapping_form",
    "match_report_section",
    "musicbrainz_panel",
    "period_picker",
    "plain",
    "play_here",
    "player",
    "playlist_controls",
    "podcast_section",
    "pop_keep_error",
    "progress_callback",
    "prompt_box",
    "prompt_list",
    "prompt_lookups",
    "quality_result",
    "quality_result_section",
    "raw_plays",
    "read_uploads",
    "require_plays",
    "rule",
    "save_to_spotify_button",
    "session_id",
    "set_catalog",
    "set_last_report",
    "set_quality_result",
    "set_timezone",
    "set_upload",
    "sidebar",
    "sound_view",
    "source_label",
    "spotify_panel",
    "starting_table",
    "table",
    "taste_caption",
    "through_the_app",
    "timezone",
    "timezone_picker",
    "track_list",
    "tune_in_background",
    "upload_summary",
    "use_demo",
    "use_upload",
    "workspace",
    "zone_periods_section",
]
