"""我的账号: who is signed in, change one's own password, sign out here or everywhere."""

from __future__ import annotations

import streamlit as st

from rectlens.ui import chrome, signin
from rectlens.ui.formats import literal


def main() -> None:
    chrome.page_header("我的账号")
    who = signin.actor()
    st.markdown(f"**{literal(who.name)}**　登录名 {literal(who.login)}　角色：{literal(who.role_labels)}")
    if who.units:
        st.caption("所属单位：" + literal("、".join(who.units)))
    st.subheader("修改密码", anchor=False)
    signin.change_password_form(forced=False)
    st.subheader("退出", anchor=False)
    here, everywhere, _rest = st.columns([1, 1, 3])
    if here.button("退出登录", icon=":material/logout:", key="account_sign_out"):
        signin.sign_out()
    if everywhere.button("退出所有会话", icon=":material/devices:", key="account_sign_out_all", help="在所有浏览器和设备上退出本账号"):
        signin.sign_out(everywhere=True)


main()
