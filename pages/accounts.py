"""账号管理: the administrator creates accounts, disables and enables them, resets passwords, sets roles and units."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rectlens import uploading
from rectlens.access import accounts
from rectlens.access.roles import ROLE_LABELS
from rectlens.ui import chrome, data, signin
from rectlens.ui.formats import EMPTY, literal, timestamp

ISSUED = "accounts_issued"  # session: (login, one-time password) to show once
FLASH = "accounts_flash"


def show_issued() -> None:
    issued = st.session_state.pop(ISSUED, None)
    if issued:
        login, password = issued
        st.success(
            f"账号 {literal(login)} 的一次性密码如下，请当面或通过安全渠道交给本人；首次登录必须修改。此密码不会再次显示。",
            icon=":material/key:",
        )
        st.code(password, language=None)
    flash = st.session_state.pop(FLASH, None)
    if flash:
        ok, message = flash
        (st.success if ok else st.error)(literal(message))


def run(action, *args) -> None:  # type: ignore[no-untyped-def]
    """Call an account operation as the signed-in administrator; errors come back as a message."""
    try:
        result = action(data.db_path(), signin.actor(), *args)
    except (accounts.AccountError, PermissionError, ValueError) as exc:
        st.session_state[FLASH] = (False, str(exc))
        return
    return result


def create() -> None:
    state = st.session_state
    roles = state.get("new_roles") or []
    password = run(
        accounts.create, state.get("new_login", ""), state.get("new_name", ""), roles, state.get("new_units") or [], state.get("new_email")
    )
    if password:
        st.session_state[ISSUED] = (state["new_login"].strip(), password)


def show_table() -> None:
    table = data.load(accounts.listing)
    if table.empty:
        st.info("还没有账号。")
        return
    shown = pd.DataFrame(
        {
            "登录名": table["login"],
            "姓名": table["display_name"],
            "角色": table["roles"].map(lambda roles: "、".join(ROLE_LABELS.get(r, r) for r in roles)),
            "单位": table["units"].map(lambda units: "、".join(units) if len(units) else EMPTY),
            "状态": table["state"],
            "须改密码": table["must_change_password"].map({True: "是", False: ""}),
            "类别": table["demo"].map({True: "演示账号", False: ""}),
            "邮箱": table["email"].fillna(""),
            "更新时间": table["updated_at"].map(timestamp),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")


def show_create(units: list[str]) -> None:
    with st.form("new_account", clear_on_submit=False, border=True):
        st.markdown("**新建账号**")
        login, name, email = st.columns(3)
        login.text_input("登录名", key="new_login", max_chars=64, help="字母、数字或 . _ - @，2–64 个字符")
        name.text_input("姓名", key="new_name", max_chars=40)
        email.text_input("邮箱（可选）", key="new_email", max_chars=120, help="统一身份认证按登录名或邮箱对应账号")
        roles, bound = st.columns(2)
        roles.multiselect("角色", list(ROLE_LABELS), format_func=ROLE_LABELS.get, key="new_roles", placeholder="选择角色")
        bound.multiselect("单位（填报人员必选）", units, key="new_units", placeholder="选择单位")
        st.form_submit_button("创建并生成一次性密码", type="primary", on_click=create)


def show_change(units: list[str]) -> None:
    table = data.load(accounts.listing)
    real = table[~table["demo"]]
    if real.empty:
        return
    st.markdown("**修改账号**")
    login = st.selectbox("账号", list(real["login"]), index=None, placeholder="选择账号", key="change_login")
    if login is None:
        return
    account = data.load(accounts.get, login)
    if account is None:
        return
    with st.form("change_account", border=True):
        roles, bound = st.columns(2)
        new_roles = roles.multiselect("角色", list(ROLE_LABELS), default=list(account.roles), format_func=ROLE_LABELS.get)
        new_units = bound.multiselect("单位", sorted(set(units) | set(account.units)), default=list(account.units))
        if st.form_submit_button("保存角色和单位"):
            if run(accounts.update, login, new_roles, new_units) is not None:
                st.session_state[FLASH] = (True, f"账号 {login} 的角色和单位已更新，其现有会话已结束")
            st.rerun()
    toggle, reset, _rest = st.columns([1, 1, 3])
    if toggle.button("启用" if account.disabled else "停用", key="toggle_account", icon=":material/block:"):
        run(accounts.set_disabled, login, not account.disabled)
        if FLASH not in st.session_state:
            st.session_state[FLASH] = (True, f"账号 {login} 已{'启用' if account.disabled else '停用'}")
        st.rerun()
    if reset.button("重置密码", key="reset_account", icon=":material/lock_reset:"):
        password = run(accounts.reset_password, login)
        if password:
            st.session_state[ISSUED] = (login, password)
        st.rerun()


def main() -> None:
    chrome.page_header("账号管理", "系统管理员管理账号，不能上传或修改数据；每次变更都记入留痕。")
    show_issued()
    units = data.load(uploading.unit_choices)
    show_table()
    show_create(units)
    show_change(units)


main()
