"""整改透视 · Rectification Lens — the Streamlit dashboard.

Run with `streamlit run dashboard.py` (or ./start.sh). `streamlit run`
imports this file as an ASGI app (`app` below: Streamlit plus the two
sign-in cookie routes), then runs it as the app script on every rerun.
On the very first start, when there is no database yet, the demo data set
is built. Nothing but the sign-in page is shown before signing in; the
pages are listed in rectlens/ui/navigation.py.
"""

from __future__ import annotations

import streamlit as st


def main() -> None:
    from rectlens.storage.database import DatabaseBusy, DatabaseUnavailable

    try:
        show()
    except (DatabaseUnavailable, DatabaseBusy) as exc:
        # the store is out of reach (PostgreSQL or the shared folder down) or busy: say so, no traceback
        st.error(str(exc), icon=":material/cloud_off:")


def show() -> None:
    from rectlens.ui import bootstrap, data, navigation, signin

    st.set_page_config(page_title="整改透视", page_icon=":material/fact_check:", layout="wide")
    bootstrap.ensure_database(data.db_path())
    account = signin.current_account()
    actor = account.actor() if account is not None else None
    # The page list across the top: a sidebar would take a third of a 1024-pixel tablet screen.
    page = st.navigation(navigation.pages(actor), position="top" if actor is not None else "hidden")
    if actor is None:
        signin.sign_in_page()
        return
    st.session_state[signin.ACTOR] = actor
    shown = navigation.page_for(page.url_path)
    if shown is navigation.DEFAULT and not shown.open_to(actor):
        # the root URL of someone without the overview: their own first page (before anything is drawn,
        # so that a cookie hand-over still pending goes out from that page's run)
        st.switch_page(navigation.first_page(actor).script)
    signin.redirect_if_pending()
    if not shown.open_to(actor):
        signin.forbidden(shown.title)
        return
    signin.welcome(account)
    page.run()


if __name__ == "__main__":
    main()
else:  # imported by `streamlit run` as the ASGI app
    from rectlens.ui.web import routes

    app = st.App(__file__, routes=routes())
