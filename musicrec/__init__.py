"""musicrec: understand your own listening and get playlists that fit the moment.

A plain Python package (no Streamlit outside ``musicrec.ui``): history loading,
track catalogs, matching, the engines and their hybrid blend, evaluation,
persistence and the Spotify client.
"""

__version__ = "0.1.0"
