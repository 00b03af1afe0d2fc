"""The two HTTP routes that put the sign-in cookie into the browser and take it out again.

Streamlit talks to the browser over a websocket and cannot set a cookie
itself; these routes run in the same process (dashboard.py serves them
beside Streamlit through `st.App`). The cookie is HttpOnly (page scripts
cannot read it), SameSite=Lax (not sent on cross-site sub-requests), Secure
when the page came over HTTPS, and holds only an opaque random token: who
it belongs to, and whether it is still valid, is known only to the server
(rectlens.access.sessions).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rectlens.access.sessions import COOKIE_NAME, STORE

ENTER_PATH = "/api/session/enter"
SIGN_OUT_PATH = "/api/session/signout"


def safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no '//'): never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


async def enter(request: Request) -> Response:
    """Exchange a single-use ticket from the sign-in form for the session cookie, then go on to the page."""
    token = STORE.redeem(request.query_params.get("ticket", ""))
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if token is not None:
        response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="lax", secure=_secure(request), path="/")
    return response


async def sign_out(request: Request) -> Response:
    """Forget the cookie's session (the page has already recorded the sign-out) and remove the cookie."""
    token = request.cookies.get(COOKIE_NAME)
    if token:
        STORE.end(token)
    response = RedirectResponse("/", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_secure(request))
    return response


def routes() -> list[BaseRoute]:
    return [Route(ENTER_PATH, enter, methods=["GET"]), Route(SIGN_OUT_PATH, sign_out, methods=["GET"])]
