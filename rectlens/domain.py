"""Domain vocabulary: projects, statuses, check results and sheet layouts.

Everything that the reader accepts and the template offers is defined here
once, so the downloadable template and the validator never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --- 整治项目 -------------------------------------------------------------

PROJECTS: tuple[str, ...] = (
    "整治违规吃喝隐形变异问题",
    "整治加重基层负担的形式主义官僚主义突出问题",
    '整治群众身边不正之风和"微腐败"问题',
    "整治影响营商环境优化提升的作风顽疾",
)

PROJECT_SHORT: dict[str, str] = {
    PROJECTS[0]: "违规吃喝",
    PROJECTS[1]: "形式主义官僚主义",
    PROJECTS[2]: "微腐败",
    PROJECTS[3]: "营商环境",
}

PROJECT_ALIASES: dict[str, tuple[str, ...]] = {
    PROJECTS[0]: ("违规吃喝",),
    PROJECTS[1]: ("形式主义官僚主义", "基层减负"),
    PROJECTS[2]: ("微腐败", "群众身边不正之风"),
    PROJECTS[3]: ("营商环境",),
}

# Distinctive words: a cell that contains words of exactly one project names it.
PROJECT_KEYWORDS: dict[str, tuple[str, ...]] = {
    PROJECTS[0]: ("吃喝",),
    PROJECTS[1]: ("形式主义", "官僚主义", "基层负担", "基层减负"),
    PROJECTS[2]: ("微腐败", "不正之风"),
    PROJECTS[3]: ("营商环境",),
}

# --- 整改状态 -------------------------------------------------------------

STATUS_DONE = "已完成"
STATUS_ONGOING = "推进中"
STATUS_NOT_STARTED = "未启动"
STATUSES: tuple[str, ...] = (STATUS_NOT_STARTED, STATUS_ONGOING, STATUS_DONE)

STATUS_SYNONYMS: dict[str, str] = {
    "已完成": STATUS_DONE,
    "完成": STATUS_DONE,
    "已整改": STATUS_DONE,
    "已销号": STATUS_DONE,
    "销号": STATUS_DONE,
    "整改完成": STATUS_DONE,
    "已整改完成": STATUS_DONE,
    "已完成整改": STATUS_DONE,
    "已办结": STATUS_DONE,
    "办结": STATUS_DONE,
    "推进中": STATUS_ONGOING,
    "整改中": STATUS_ONGOING,
    "正在整改": STATUS_ONGOING,
    "持续整改": STATUS_ONGOING,
    "进行中": STATUS_ONGOING,
    "正在推进": STATUS_ONGOING,
    "整改推进中": STATUS_ONGOING,
    "未启动": STATUS_NOT_STARTED,
    "未开始": STATUS_NOT_STARTED,
    "尚未启动": STATUS_NOT_STARTED,
    "尚未开始": STATUS_NOT_STARTED,
}

# --- 核查结论 -------------------------------------------------------------

CHECK_PASS: tuple[str, ...] = ("整改到位", "基本到位")
CHECK_FAIL: tuple[str, ...] = ("未整改到位", "虚假整改", "问题反弹")
CHECK_RESULTS: tuple[str, ...] = CHECK_PASS + CHECK_FAIL
CHECK_RELAPSE = "问题反弹"

CHECK_RESULT_SYNONYMS: dict[str, str] = {
    **{name: name for name in CHECK_RESULTS},
    "已整改到位": "整改到位",
    "到位": "整改到位",
    "基本整改到位": "基本到位",
    "整改不到位": "未整改到位",
    "不到位": "未整改到位",
    "未到位": "未整改到位",
    "假整改": "虚假整改",
    "反弹": "问题反弹",
}

SAMPLING_RANDOM = "随机抽查"
SAMPLING_TARGETED = "重点核查"
SAMPLING_SYNONYMS: dict[str, str] = {
    "随机抽查": SAMPLING_RANDOM,
    "随机": SAMPLING_RANDOM,
    "随机抽样": SAMPLING_RANDOM,
    "重点核查": SAMPLING_TARGETED,
    "重点": SAMPLING_TARGETED,
    "重点抽查": SAMPLING_TARGETED,
}

SOURCES: tuple[str, ...] = (
    "信访举报",
    "巡视巡察",
    "审计监督",
    "媒体曝光",
    "网络舆情",
    "12388举报平台",
    "作风监督哨",
    "自查自纠",
    "督察反馈",
)

ROOT_CAUSES: tuple[str, ...] = ("思想根子问题", "能力本领问题", "制度机制问题", "责任落实问题")

# Deadline texts that mean "no fixed deadline": such an item is never due.
OPEN_ENDED_DEADLINES: tuple[str, ...] = (
    "长期坚持",
    "持续推进",
    "长期",
    "常态化",
    "常态长效",
    "持续整改",
    "长期整改",
)

# --- sheet layouts ----------------------------------------------------------

LEDGER = "ledger"
SUMMARY = "summary"
CHECKS = "checks"
SATISFACTION = "satisfaction"
REGION_MASTER = "regions"

SHEET_TITLES: dict[str, str] = {
    LEDGER: "问题台账",
    SUMMARY: "汇总",
    CHECKS: "核查结果",
    SATISFACTION: "群众评议",
    REGION_MASTER: "地区表",
}

# Words in a sheet's name that identify its kind.
SHEET_NAME_WORDS: dict[str, tuple[str, ...]] = {
    LEDGER: ("台账", "问题清单"),
    SUMMARY: ("汇总", "统计"),
    CHECKS: ("核查", "抽查", "暗访"),
    SATISFACTION: ("评议", "满意度"),
    REGION_MASTER: ("地区表", "地区"),
}


@dataclass(frozen=True)
class Column:
    """One column of a sheet layout.

    `field` is the stored name, `title` the Chinese header, `kind` how its
    cells are parsed, `aliases` other headers staff use for it.
    """

    field: str
    title: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class SheetLayout:
    kind: str
    title: str
    columns: tuple[Column, ...]
    needs_month: bool = True
    example_rows: tuple[tuple[object, ...], ...] = field(default=())

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


_REGION = Column(
    "region", "地区", "region", True, ("市州", "地市", "所属地区", "单位名称", "报送单位", "地区名称", "城市"), "填写地市名称，如 示例市"
)
_PROJECT = Column(
    "project", "整治项目", "project", True, ("专项整治项目", "整治专项", "项目名称", "所属项目", "项目"), "四个整治项目之一，可用简称"
)
_MONTH = Column("month", "报送月份", "month", False, ("月份", "报送期", "填报月份", "统计月份", "报送时间"), "如 2026-10")

LEDGER_LAYOUT = SheetLayout(
    LEDGER,
    "问题台账",
    (
        Column("item_id", "问题编号", "id", True, ("编号", "问题序号", "台账编号", "问题代码"), "本单位内唯一"),
        _REGION,
        Column("county", "县区", "county", False, ("县（市、区）", "县市区", "区县", "所属县区"), "县（市、区）名称"),
        Column("responsible_unit", "责任单位", "text", False, ("整改责任单位", "牵头单位"), ""),
        _PROJECT,
        Column("source", "问题来源", "text", False, ("来源",), "如 信访举报"),
        Column("description", "问题描述", "text", False, ("问题表现", "问题内容", "具体问题", "问题"), ""),
        Column("root_cause", "根源类别", "root_cause", False, ("根源", "问题根源", "根源分类"), "四类根源之一"),
        Column("measures", "整改措施", "text", False, ("整改举措", "主要措施", "整改措施及成效"), ""),
        Column("found_date", "发现日期", "date", False, ("发现时间", "问题发现日期", "发现时间（日期）"), "如 2026-10-15"),
        Column("deadline", "整改时限", "deadline", False, ("整改期限", "完成时限", "时限要求", "整改时间要求"), "日期，或 长期坚持"),
        Column("status", "整改状态", "status", True, ("状态", "整改进度", "进展情况", "整改进展"), "未启动 / 推进中 / 已完成"),
        Column("completed_date", "完成日期", "date", False, ("完成时间", "整改完成日期", "销号日期", "整改完成时间"), "已完成时必填"),
        Column("evidence", "佐证材料", "text", False, ("佐证", "佐证资料", "证明材料", "佐证材料名称"), "无佐证时留空"),
        _MONTH,
    ),
    example_rows=(
        (
            "WG-001",
            "示例市",
            "示例区",
            "市商务局",
            "违规吃喝",
            "信访举报",
            "公务接待超标准",
            "责任落实问题",
            "制定接待清单并公开",
            "2026-09-03",
            "2026-11-30",
            "已完成",
            "2026-10-12",
            "整改报告.pdf",
            "2026-10",
        ),
        (
            "WG-002",
            "示例市",
            "示例县",
            "县住建局",
            "营商环境",
            "12388举报平台",
            "审批环节多",
            "制度机制问题",
            "压减审批环节",
            "2026-09-20",
            "长期坚持",
            "推进中",
            None,
            None,
            "2026-10",
        ),
    ),
)

SUMMARY_LAYOUT = SheetLayout(
    SUMMARY,
    "汇总",
    (
        _REGION,
        _PROJECT,
        Column("total", "问题总数", "count", True, ("问题数", "问题总量", "问题数量", "排查问题数", "总数"), "整数"),
        Column("completed", "已完成数", "count", True, ("完成数", "已整改数", "已完成", "整改完成数", "已销号数"), "整数，不超过问题总数"),
        Column("stated_rate", "整改完成率", "rate", False, ("完成率", "整改率", "整改完成比例"), "如 95% 或 0.95"),
        _MONTH,
    ),
    example_rows=(
        ("示例市", "违规吃喝", 12, 10, "83.3%", "2026-10"),
        ("示例市", "营商环境", 8, 8, "100%", "2026-10"),
    ),
)

CHECKS_LAYOUT = SheetLayout(
    CHECKS,
    "核查结果",
    (
        Column("item_id", "问题编号", "id", True, ("编号", "问题序号", "台账编号"), "台账中的问题编号"),
        _REGION,
        Column("check_date", "核查日期", "date", True, ("核查时间", "抽查日期", "暗访日期", "检查日期"), "如 2026-10-20"),
        Column("method", "核查方式", "text", False, ("方式", "抽查方式", "检查方式"), "如 暗访"),
        Column(
            "result",
            "核查结论",
            "check_result",
            True,
            ("核查结果", "结论", "抽查结论", "核查意见"),
            "整改到位 / 基本到位 / 未整改到位 / 虚假整改 / 问题反弹",
        ),
        Column("inspector", "核查人", "text", False, ("核查人员", "检查人", "抽查人"), ""),
        Column("note", "备注", "text", False, ("说明",), ""),
        Column("sampling", "抽样方式", "sampling", False, ("抽样类型", "抽查类型"), "随机抽查 / 重点核查"),
    ),
    needs_month=False,
    example_rows=(("WG-001", "示例市", "2026-10-25", "暗访", "整改到位", "督导组一组", None, "随机抽查"),),
)

SATISFACTION_LAYOUT = SheetLayout(
    SATISFACTION,
    "群众评议",
    (
        _REGION,
        _PROJECT,
        _MONTH,
        Column("satisfaction", "满意度", "rate", True, ("群众满意度", "满意率", "满意度（%）"), "如 85% 或 0.85"),
        Column("sample_size", "样本数", "count", False, ("样本量", "评议人数", "参评人数", "样本数量"), "整数"),
    ),
    example_rows=(("示例市", "违规吃喝", "2026-10", "86%", 200),),
)

REGION_LAYOUT = SheetLayout(
    REGION_MASTER,
    "地区表",
    (
        Column("region", "地区", "text", True, ("市州", "地市", "地区名称", "单位名称"), ""),
        Column("zone", "片区", "text", True, ("区域", "所属片区"), ""),
        Column("county", "县区", "text", False, ("县（市、区）", "县市区", "区县"), ""),
        Column(
            "scale",
            "规模",
            "scale",
            False,
            ("党员干部数", "党员人数", "干部人数", "规模基数"),
            "正数，如党员干部人数；每个地区一个值，可只填在该地区第一行",
        ),
    ),
    needs_month=False,
)

REPORT_LAYOUTS: tuple[SheetLayout, ...] = (LEDGER_LAYOUT, SUMMARY_LAYOUT, CHECKS_LAYOUT, SATISFACTION_LAYOUT)
LAYOUTS: dict[str, SheetLayout] = {layout.kind: layout for layout in (*REPORT_LAYOUTS, REGION_LAYOUT)}
