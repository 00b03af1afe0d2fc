"""整改透视 · Rectification Lens — the Streamlit dashboard.

Run with `streamlit run dashboard.py` (or ./start.sh). On the very first
start, when there is no database yet, the demo data set is built. The
pages are listed in rectlens/ui/navigation.py.
"""

from __future__ import annotations

import streamlit as st

from rectlens.ui import bootstrap, data, navigation

st.set_page_config(page_title="整改透视", page_icon=":material/fact_check:", layout="wide")

bootstrap.ensure_database(data.db_path())
# The page list across the top: a sidebar would take a third of a 1024-pixel tablet screen.
page = st.navigation(navigation.pages(), position="top")
page.run()
