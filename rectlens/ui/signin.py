"""Signing in and out on the dashboard, and who the signed-in person is on each run.

Each run of the script asks `current_account()`: the session token comes
from the HttpOnly cookie (set by rectlens.ui.web after the sign-in form) or,
until the browser has it, from this tab's session state; single sign-on
comes from Streamlit's own `st.login` cookie. The account behind it is read
again on every run (cached per data version), so a disabled account, a
reset password or a sign-out everywhere ends the session at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import streamlit as st

from rectlens import demo
from rectlens.access import accounts, audit
from rectlens.access.accounts import Account
from rectlens.access.passwords import rule
from rectlens.access.roles import ROLE_LABELS, Actor
from rectlens.access.sessions import COOKIE_NAME, STORE, TICKET_SECONDS
from rectlens.ui import data, uploader, web
from rectlens.ui.formats import literal

TOKEN = "signin_token"  # session state: this tab's session token
PENDING_CHANGE = "signin_must_change"  # session state: login that signed in with an issued password
NOTICE = "signin_notice"  # session state: a message for the sign-in page (session ended, signed out)
WELCOME = "signin_welcome"  # session state: show the returned uploads once after signing in
ACTOR = "signin_actor"  # session state: the actor of the current run (set by the gate)

VIA_PASSWORD, VIA_DEMO, VIA_SSO = "密码", "演示账号", "统一身份认证"


# --- who is signed in -----------------------------------------------------------------


def _account(login: str) -> Account | None:
    return data.load(accounts.get, login)


def _valid(account: Account | None, started: dt.datetime) -> bool:
    if account is None or account.disabled:
        return False
    if account.demo and not data.load(demo.is_demo):
        return False  # 演示账号 exist only while the demo data set is in use
    return account.sessions_valid_from is None or started >= account.sessions_valid_from


def _cookie(name: str) -> str | None:
    """A cookie the browser sent, or None. Only real text counts: AppTest's stand-in client
    answers every cookie lookup with a mock object (while listing no cookies at all)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) and value else None


def current_account() -> Account | None:
    """The signed-in account of this run, or None (then the sign-in page is shown)."""
    idle = accounts.policy().idle_minutes
    # The cookie's session first; but a cookie this instance does not know (another instance's, or one
    # from before a restart) must not hide the session just begun here, before the cookie route has run.
    tokens = [token for token in dict.fromkeys((_cookie(COOKIE_NAME), st.session_state.get(TOKEN))) if token]
    for token in tokens:
        session = STORE.touch(token, idle)
        if session is None:
            continue
        account = _account(session.login)
        if _valid(account, session.started):
            if token == _cookie(COOKIE_NAME) and _arrived(token):
                st.session_state[WELCOME] = True  # the first page load after the cookie route
            st.session_state[TOKEN] = token
            return account
        STORE.end(token)
    if tokens:
        _end_here("会话已结束（超时未操作、已在别处退出或账号已变更），请重新登录")
    return _single_sign_on(idle)


def _end_here(notice: str | None) -> None:
    had = st.session_state.pop(TOKEN, None) is not None or bool(_cookie(COOKIE_NAME))
    st.session_state.pop(ACTOR, None)
    if notice and had:
        st.session_state[NOTICE] = notice


def actor() -> Actor:
    """The acting account of this run (the gate has signed it in before any page runs)."""
    found = st.session_state.get(ACTOR)
    if found is None:
        raise RuntimeError("no signed-in account: pages run only after the sign-in gate")
    return found


# --- single sign-on ------------------------------------------------------------------


def sso_provider() -> str | None:
    """The provider name for `st.login` when .streamlit/secrets.toml configures one ('' for the default)."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all
        return None
    if not section:
        return None
    if "client_id" in section:
        return ""
    # a table of st.secrets is an AttrDict (a Mapping, not a dict)
    named = [name for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value]
    return named[0] if named else None


def _identity() -> dict[str, str]:
    try:
        if not st.user.is_logged_in:
            return {}
    except Exception:
        return {}
    return {key: str(value) for key, value in st.user.to_dict().items() if isinstance(value, str)}


SSO_REFUSED = "signin_sso_refused"  # session state: the single sign-on token this tab refused (its notice is shown)
SSO_FRESH_SECONDS = 300  # a session begins only from an identity the provider issued this recently
_SSO_SEEN: dict[str, float] = {}  # single sign-on tokens that began (or were refused) a session, and when
_SSO_LOCK = threading.Lock()


def _sso_token(identity: dict[str, str]) -> str:
    cookie = _cookie("_streamlit_user") or json.dumps(identity, sort_keys=True)
    return "sso:" + hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def _fresh_sso(token: str) -> bool:
    """Whether an identity may begin a session: issued by the provider moments ago and never used before.

    Streamlit's identity cookie lives for 30 days; without this, the same cookie would silently
    sign the person in again after signing out, going idle, being signed out everywhere or a restart.
    """
    try:
        issued = float(st.user.to_dict().get("iat"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    now = time.time()
    with _SSO_LOCK:
        for seen, at in list(_SSO_SEEN.items()):
            if now - at > 2 * SSO_FRESH_SECONDS:  # too old to pass the issued-at test anyway
                del _SSO_SEEN[seen]
        if token in _SSO_SEEN or abs(now - issued) > SSO_FRESH_SECONDS:
            return False
        _SSO_SEEN[token] = now
        return True


def _single_sign_on(idle: float) -> Account | None:
    identity = _identity()
    if not identity:
        return None
    token = _sso_token(identity)
    session = STORE.touch(token, idle)
    if session is not None:
        account = _account(session.login)
        if _valid(account, session.started):
            return account
        STORE.end(token)
        st.session_state[NOTICE] = "会话已结束，请重新登录"
        st.logout()
        return None
    if st.session_state.get(SSO_REFUSED) == token:
        return None  # refused in this tab: the person may still sign in otherwise
    if not _fresh_sso(token):
        st.logout()  # an identity left over from an ended session: drop it (and the provider's session)
        return None
    account = _match(identity)
    if account is None or account.disabled:
        st.session_state[NOTICE] = (
            f"统一身份认证的身份「{identity.get('email') or identity.get('sub')}」在本系统中没有对应的账号"
            + ("（账号已停用）" if account is not None else "")
            + "，请联系系统管理员开通"
        )
        who = audit.Who(identity.get("email") or identity.get("sub", "?"), "")
        audit.record(data.db_path(), who, "sign_in", audit.REFUSED, detail="统一身份认证：无对应账号或已停用")
        # Stay on the sign-in page so the notice is read: st.logout() would leave for the provider
        # and come back in a new session without it. The identity is spent (see _fresh_sso).
        st.session_state[SSO_REFUSED] = token
        return None
    STORE.start(account.login, VIA_SSO, token=token)
    accounts.record_sign_in(data.db_path(), account, VIA_SSO)
    st.session_state[WELCOME] = True
    return account


def _match(identity: dict[str, str]) -> Account | None:
    """The product's account for an identity: by login (preferred_username or sub), else by e-mail."""
    db = data.db_path()
    for key in ("preferred_username", "sub"):
        login = identity.get(key)
        if login:
            found = accounts.get(db, login)
            if found is not None and not found.demo:
                return found
    email = identity.get("email")
    return accounts.find_by_email(db, email) if email else None


# --- signing in ------------------------------------------------------------------


def _here() -> str:
    """The path and query of the page being shown, to come back to after the cookie is set."""
    path = urlsplit(st.context.url or "/").path or "/"
    query = urlencode(st.query_params.to_dict())  # the filters a shared link carries
    return path + (f"?{query}" if query else "")


# Sessions just begun whose first page load with the cookie shows the welcome: the browser reloads
# through the cookie route, and this tab's session state (where WELCOME is set) does not survive
# that. sha256 of the token -> until when (the ticket's lifetime).
_WELCOME_DUE: dict[str, dt.datetime] = {}
_WELCOME_LOCK = threading.Lock()


def _expect_welcome(token: str) -> None:
    now = dt.datetime.now()
    with _WELCOME_LOCK:
        for key in [key for key, until in _WELCOME_DUE.items() if until <= now]:
            del _WELCOME_DUE[key]
        _WELCOME_DUE[hashlib.sha256(token.encode("utf-8")).hexdigest()] = now + dt.timedelta(seconds=TICKET_SECONDS)


def _arrived(token: str) -> bool:
    """Whether this is the first page load with the cookie of a session just begun (true once)."""
    with _WELCOME_LOCK:
        until = _WELCOME_DUE.pop(hashlib.sha256(token.encode("utf-8")).hexdigest(), None)
    return until is not None and until > dt.datetime.now()


def _start(account: Account, via: str) -> None:
    token = STORE.start(account.login, via)
    st.session_state[TOKEN] = token
    st.session_state[WELCOME] = True
    _expect_welcome(token)
    st.session_state.pop(NOTICE, None)
    ticket = STORE.ticket(token)
    st.session_state["signin_redirect"] = f"{web.ENTER_PATH}?{urlencode({'ticket': ticket, 'next': web.safe_next(_here())})}"


def redirect_if_pending() -> None:
    """Right after signing in, send the browser to the cookie route once (it comes back to the same page)."""
    target = st.session_state.pop("signin_redirect", None)
    if target:
        st.html(f"<script>window.location.replace({json.dumps(target)});</script>", unsafe_allow_javascript=True)


def _password_submitted() -> None:
    login = st.session_state.get("signin_login", "")
    password = st.session_state.get("signin_password", "")
    st.session_state["signin_password"] = ""
    result = accounts.sign_in(data.db_path(), login, password)
    if not result.ok or result.account is None:
        st.session_state["signin_error"] = result.message
        return
    if result.account.must_change_password:
        st.session_state[PENDING_CHANGE] = result.account.login
        return
    _start(result.account, VIA_PASSWORD)


def _demo_clicked(login: str) -> None:
    account = accounts.get(data.db_path(), login)
    if account is None or not account.demo or not demo.is_demo(data.db_path()):
        st.session_state["signin_error"] = "演示账号只在使用示例数据时可用"
        return
    accounts.record_sign_in(data.db_path(), account, VIA_DEMO)
    _start(account, VIA_DEMO)


SIGN_IN_CSS = "<style>[data-testid='stMainBlockContainer'] { max-width: 56rem; padding-top: 3rem; }</style>"


def sign_in_page() -> None:
    """The only page shown before signing in."""
    # with Streamlit's English "Press Enter to submit form" under a field said in Chinese, as on 数据上传
    st.html(SIGN_IN_CSS + uploader.page_css())
    if st.session_state.get(PENDING_CHANGE):
        change_password_form(forced=True)
        return
    st.title("整改透视 · 登录", anchor=False)
    st.caption("学习教育整改整治数据分析看板。请使用本人账号登录，所有操作都会留痕。")
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(literal(notice), icon=":material/info:")
    error = st.session_state.pop("signin_error", None)
    left, right = st.columns([3, 2], gap="large")
    with left, st.form("signin_form", border=True):
        st.text_input("登录名", key="signin_login", max_chars=64, autocomplete="username")
        st.text_input("密码", key="signin_password", type="password", max_chars=256, autocomplete="current-password")
        if error:
            st.error(literal(error), icon=":material/lock:")
        st.form_submit_button("登录", type="primary", on_click=_password_submitted, width="stretch")
    with right:
        provider = sso_provider()
        if provider is not None:
            st.markdown("**统一身份认证**")
            if st.button("统一身份认证登录", icon=":material/badge:", width="stretch", key="signin_sso"):
                st.login(provider) if provider else st.login()
        st.caption(
            f"密码{rule().describe()}。连续 {accounts.policy().max_failed_attempts} 次输错密码，账号锁定 "
            f"{accounts.policy().lock_minutes:g} 分钟；{accounts.policy().idle_minutes:g} 分钟未操作自动退出。"
            "忘记密码请联系系统管理员重置。"
        )
    demo_accounts = accounts.demo_accounts(data.db_path()) if data.load(demo.is_demo) else []
    if demo_accounts:
        st.subheader("演示账号", anchor=False)
        st.caption("当前使用的是虚构的示例数据：可以一键以下列角色进入，看看每种角色能做什么。导入真实数据后演示账号不再存在。")
        columns = st.columns(3)
        for index, account in enumerate(demo_accounts):
            role = "、".join(ROLE_LABELS[r] for r in account.roles)
            columns[index % 3].button(
                f"演示账号 · {role}",
                key=f"signin_demo_{account.login}",
                on_click=_demo_clicked,
                args=(account.login,),
                icon=":material/science:",
                width="stretch",
                help=literal(account.display_name + (f"（{'、'.join(account.units)}）" if account.units else "")),
            )


def change_password_form(forced: bool) -> None:
    """A new password: forced after an issued one, or asked for on 我的账号."""
    login = st.session_state.get(PENDING_CHANGE) if forced else actor().login
    account = accounts.get(data.db_path(), login) if login else None
    if account is None:
        st.session_state.pop(PENDING_CHANGE, None)
        st.rerun()
        return
    if forced:
        st.title("请设置新密码", anchor=False)
        st.info(
            f"账号 {literal(account.login)} 使用的是管理员发放的一次性密码，首次登录必须改为只有您自己知道的新密码。",
            icon=":material/key:",
        )
    with st.form("password_form", border=True, clear_on_submit=True):
        current = st.text_input("当前密码" + ("（一次性密码）" if forced else ""), type="password", autocomplete="current-password")
        new = st.text_input("新密码", type="password", autocomplete="new-password", help=f"密码{rule().describe()}")
        again = st.text_input("再次输入新密码", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("修改密码", type="primary")
    if not submitted:
        st.caption(f"新密码{rule().describe()}，且不能包含登录名。")
        return
    if new != again:
        st.error("两次输入的新密码不一致", icon=":material/error:")
        return
    problems = accounts.change_password(data.db_path(), account.actor(), current, new)
    if problems:
        st.error("密码未修改：" + "；".join(problems), icon=":material/error:")
        return
    st.success("密码已修改", icon=":material/task_alt:")
    if forced:
        st.session_state.pop(PENDING_CHANGE, None)
        _start(account, VIA_PASSWORD)
        st.rerun()


# --- signing out ---------------------------------------------------------------------


def sign_out(everywhere: bool = False) -> None:
    """End this session (or every session of the account), record it, and drop the cookie."""
    who = actor()
    token = st.session_state.get(TOKEN) or _cookie(COOKIE_NAME)
    identity = _identity()
    if everywhere:
        accounts.sign_out_everywhere(data.db_path(), who)
        STORE.end_all(who.login)
    else:
        audit.record(data.db_path(), who, "sign_out", audit.OK)
        for ended in (token, _sso_token(identity) if identity else None):
            if ended:
                STORE.end(ended)
    _end_here(None)
    st.session_state[NOTICE] = "已退出所有会话" if everywhere else "已退出登录"
    if identity and not _cookie(COOKIE_NAME):
        # signed in through the provider: Streamlit's own route drops its identity cookie and ends the
        # provider's session (one redirect only: a second one would race it and keep the identity)
        st.logout()
    else:
        # the cookie route removes the HttpOnly cookie, which no page script can
        st.html(f"<script>window.location.replace({json.dumps(web.SIGN_OUT_PATH)});</script>", unsafe_allow_javascript=True)
    st.info("已退出登录", icon=":material/logout:")
    st.stop()


def record_export(what: str) -> None:
    """A download button's callback: the export goes into the audit log under the signed-in account."""
    audit.record_export(data.db_path(), actor(), what)


def welcome(account: Account) -> None:
    """Once after signing in: the unit's uploads that the office returned, with the reasons."""
    if not st.session_state.pop(WELCOME, False) or account.actor().reaches_all_units() or not account.units:
        return
    from rectlens import submissions
    from rectlens.access import reviews

    returned = reviews.returned_for(data.load(submissions.reviewed_history), account.units)
    if returned.empty:
        return
    lines = [
        f"- 上传 #{r.upload_id}（{literal(r.region)} {literal(r.month)} {literal(r.kind_label)}）：{literal(r.reason or '')}"
        for r in returned.itertuples(index=False)
    ]
    st.warning("专班退回了本单位的报送，请改正后在“数据上传”页重新上传：\n" + "\n".join(lines), icon=":material/assignment_return:")


def forbidden(title: str) -> None:
    st.title("无权访问", anchor=False)
    who = actor()
    st.error(
        f"账号 {literal(who.label)}（{literal(who.role_labels)}）无权打开“{title}”页面。如需此权限，请联系系统管理员。",
        icon=":material/block:",
    )

