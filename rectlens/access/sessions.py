"""Signed-in sessions of this dashboard process.

The browser holds only an opaque random token in an HttpOnly cookie; this
process keeps, per token hash, who signed in, when, and when last seen. A
session ends on sign-out, after `idle_minutes` without activity, when the
account is disabled or its password reset, or when the person signs out
everywhere (the account's `sessions_valid_from`, kept in the store, voids
every session begun before it, in every dashboard instance).

Handing the token to the browser takes one step outside Streamlit: the
sign-in form issues a single-use ticket (valid for a minute), the browser
is sent to `/api/session/enter?ticket=…`, and that route sets the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass

COOKIE_NAME = "rectlens_session"
TICKET_SECONDS = 60


@dataclass
class Session:
    login: str
    via: str  # 密码 | 演示账号 | 统一身份认证
    started: dt.datetime
    last_seen: dt.datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._tickets: dict[str, tuple[str, dt.datetime]] = {}  # ticket hash -> (token, expires)

    def start(self, login: str, via: str, at: dt.datetime | None = None, token: str | None = None) -> str:
        """A new session; returns its token (kept by the caller, never logged). A single sign-on
        session passes its own token, derived from the identity provider's cookie."""
        at = at or dt.datetime.now()
        token = token or secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[_hash(token)] = Session(login, via, at, at)
        return token

    def ticket(self, token: str, at: dt.datetime | None = None) -> str:
        """A single-use ticket that the cookie route exchanges for `token`."""
        at = at or dt.datetime.now()
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            self._tickets = {key: value for key, value in self._tickets.items() if value[1] > at}
            self._tickets[_hash(ticket)] = (token, at + dt.timedelta(seconds=TICKET_SECONDS))
        return ticket

    def redeem(self, ticket: str, at: dt.datetime | None = None) -> str | None:
        at = at or dt.datetime.now()
        with self._lock:
            found = self._tickets.pop(_hash(ticket), None)
        if found is None or found[1] <= at:
            return None
        return found[0]

    def touch(self, token: str, idle_minutes: float, at: dt.datetime | None = None) -> Session | None:
        """The live session of `token` (now seen again), or None when it is unknown or has gone idle."""
        at = at or dt.datetime.now()
        key = _hash(token)
        with self._lock:
            found = self._sessions.get(key)
            if found is None:
                return None
            if at - found.last_seen > dt.timedelta(minutes=idle_minutes):
                del self._sessions[key]
                return None
            found.last_seen = at
            return found

    def peek(self, token: str) -> Session | None:
        with self._lock:
            return self._sessions.get(_hash(token))

    def end(self, token: str) -> Session | None:
        with self._lock:
            return self._sessions.pop(_hash(token), None)

    def end_all(self, login: str) -> int:
        with self._lock:
            keys = [key for key, found in self._sessions.items() if found.login.lower() == login.lower()]
            for key in keys:
                del self._sessions[key]
        return len(keys)


# One store per dashboard process: the cookie routes and the page scripts share it.
STORE = SessionStore()
