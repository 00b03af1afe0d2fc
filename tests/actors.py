"""Acting accounts for tests: the command line's trusted operator and one person per role."""

from __future__ import annotations

from rectlens.access.roles import ADMIN, AUDITOR, INSPECTOR, LEADER, OFFICE, UPLOADER, Actor, cli_operator

OPERATOR = cli_operator()
LEADER_ACTOR = Actor("leader.li", "李领导", (LEADER,))
UPLOADER_ACTOR = Actor("jc.uploader", "江城填报员", (UPLOADER,), ("江城市",))
INSPECTOR_ACTOR = Actor("inspector.zhao", "赵督导", (INSPECTOR,))
OFFICE_ACTOR = Actor("office.wang", "王专班", (OFFICE,))
ADMIN_ACTOR = Actor("admin.sun", "孙管理员", (ADMIN,))
AUDITOR_ACTOR = Actor("auditor.qian", "钱审计", (AUDITOR,))
