"""The demo data set: thirteen fictional cities, twelve report months.

`build()` invents a year of rectification work for 13 fictional units in
three zones, writes every workbook the way staff would (one ledger +
summary workbook per unit per month, a monthly spot-check file from the
inspection office, one 群众评议 file), then ingests each of them through
the product's real validation path and marks the database as demo data.

Everything is drawn from `random.Random(seed)`: the same seed gives the
same workbooks (byte for byte) and the same database contents.

Most units are honest: their ledgers grow and close month by month, their
summaries add up, evidence is attached, spot checks mostly pass. The
others show, on purpose, what the warnings look for:

| unit   | pattern planted in the raw data                           | month(s)             | warning it feeds |
|--------|-----------------------------------------------------------|----------------------|------------------|
| 白鹭市 | spot checks mostly fail (虚假整改 / 未整改到位, ~45% pass)  | every month          | GAP              |
| 雁回市 | spot checks mostly fail (~45% pass)                       | every month          | GAP              |
| 雁回市 | a batch of old items closed: rate +30 points per project  | 2026-04 (vs 2026-03) | JUMP             |
| 望川市 | summary 已完成数 above the ledger's (+6, +4 in 2 projects) | 2026-09              | MISMATCH (high)  |
| 望川市 | 6 open problem ids silently dropped, never listed again   | 2026-06 (vs 2026-05) | SHRINK           |
| 鹿鸣市 | 11–14 items per project closed, nearly all on 28–30 June  | 2026-06              | RUSH             |
| 丹枫市 | ledger and summary copied from last month (title updated) | 2026-08 (= 2026-07)  | STALE (and OVERDUE, as the copy is stale) |
| 丹枫市 | no workbook at all                                        | 2026-03              | MISSING          |
| 丹枫市 | 合计 row's 问题总数 is 10 above the sum of its rows         | 2026-02              | MISMATCH (合计)  |
| 柳汀市 | a third of items get deadlines they miss: 8–28% of a project overdue | every month          | OVERDUE, SLOW    |
| 白鹭市 | ~70% of items closed from 2026-06-01 on lack 佐证材料      | from 2026-07         | NO_EVIDENCE      |
| 明湖市 | 问题反弹 found by 回头看 on 2 items that had passed          | 2026-05              | RELAPSE          |
| 白鹭市 | 问题反弹 on 1 item                                         | 2026-08              | RELAPSE          |
| 青岚市 | 问题反弹 on 1 item                                         | 2026-09              | RELAPSE          |
| 白鹭市 | 满意度 60–68% while its reported rates are ≥ 90%           | 2026-07, 2026-10     | LOW_SATISFACTION |
| 鹿鸣市 | 4 整改措施 texts copied word for word from 明湖市 (naming 明湖市's places) | items found by 2026-03 | (too few to fire) |
| 鹿鸣市 | 45% of 形式主义官僚主义 measures: one of two 明湖市 ones, places swapped | from 2025-12 | BOILERPLATE |
| 金穗市 | 40% of its 问题描述 are stock phrases only (作风不实问题, 责任落实不到位, …) | every month | VAGUE |
| 云栖市 | 规模 in the region master 2.6 times what its list suggests: about 38% of the expected problems | every month | FEW_PROBLEMS |
| 松涛市 | 70% of its problems come from 自查自纠 (the province: about 16%) | every month | (清单质量 page: source mix) |
| all    | 重点核查 of risky items fail more often than random draws (55% vs ~8%; paper: 75% vs ~55%) | every month | random_* metrics |
| 柳汀市 | checked hardest: 5 targeted checks a month besides its random draws | every month | all checks lag the random estimate |
| all    | one LQAS round, n = 19 per unit, drawn by the planner (seed 2026) from October's candidates | 2026-10 | LQAS results |
| 雁回市 | its LQAS draws turn out as a paper unit's: fewer than 13 of 19 pass (白鹭市 likewise) | 2026-10 | 未达标 |
| 望川市 | 7 of its 19 LQAS items not checked yet                    | 2026-10              | 待完成           |

Honest units: 青岚市, 云栖市, 澄湾市, 星河市, 金穗市, 明湖市, 松涛市
(a relapse is a single item found by a follow-up check; 明湖市 is the
unwitting source of 鹿鸣市's copied measures). Every measure ends with a
clause about its own problem (place, date, a count), as real ones do, so
honest units' measures are not alike to each other's. The region master
carries a 规模 (党员干部数) per unit, written on the unit's first row only.

Spot checks are random draws (抽样方式 随机抽查) among items reported done by the end of the
month before, rechecks of last month's failures and 回头看 (重点核查), and targeted checks
(重点核查) of risky items; an item is drawn at random only if it has not been checked before,
as the planner's candidates are. The LQAS round's results come in a workbook of their own,
filled in from the plan's sheet; `build` registers the round with the planner (and checks
that the planner draws exactly the invented items) before it ingests that workbook.

Workbooks vary as real ones do: header aliases and line breaks, a 序号
column, 地区 merged over the block (written without 市 by 澄湾市, with a
trailing full-width space by 松涛市), dates as Excel dates or text in four
formats, projects by full name, short name or numbered, status synonyms,
rates as "85.3%", 0.853 or 85.3, counts as text, an optional 报送月份
column, an unknown 备注 column, signature lines and a 填报说明 sheet.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rectlens import domain, sql
from rectlens.access.roles import OPERATOR, Actor
from rectlens.demo_workbooks import Cell, Percent, SheetBlock, write_workbook
from rectlens.metrics import previous_month

# --- calendar ---------------------------------------------------------------

MONTHS: tuple[dt.date, ...] = tuple(dt.date(2025 + (10 + i) // 12, (10 + i) % 12 + 1, 1) for i in range(12))
BACKLOG_START = dt.date(2025, 4, 1)  # problems found before the first report month


def month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _ym(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


# --- units --------------------------------------------------------------------

HONEST, PAPER = "honest", "paper"


@dataclass(frozen=True)
class UnitSpec:
    name: str
    zone: str
    abbr: str
    counties: tuple[str, ...]
    size: int  # problems over the whole period
    pace: str  # brisk | fast | normal | slow: how quickly problems are closed
    checks: str = HONEST  # how spot checks of its completed items turn out


UNITS: tuple[UnitSpec, ...] = (
    UnitSpec("青岚市", "南片", "QL", ("岚湖区", "青溪县", "望岚县", "翠谷县"), 270, "normal"),
    UnitSpec("白鹭市", "南片", "BL", ("鹭洲区", "白沙湾区", "芦汀县", "鸣滩县", "汀岸县"), 300, "brisk", PAPER),
    UnitSpec("云栖市", "南片", "YQ", ("栖云区", "竹坞县", "云岫县"), 210, "normal"),
    UnitSpec("澄湾市", "南片", "CW", ("湾北区", "湾南区", "碧浦县", "汐岭县"), 240, "fast"),
    UnitSpec("星河市", "中片", "XH", ("银汉区", "星野区", "织云县", "河鼓县"), 260, "normal"),
    UnitSpec("金穗市", "中片", "JS", ("穗丰区", "金禾区", "稻香县", "麦垄县"), 230, "normal"),
    UnitSpec("明湖市", "中片", "MH", ("湖畔区", "月湾区", "清漪县", "荷漪县"), 280, "normal"),
    UnitSpec("松涛市", "中片", "ST", ("松岭区", "听涛区", "柏坡县", "云杉县"), 220, "normal"),
    UnitSpec("鹿鸣市", "中片", "LM", ("鹿苑区", "鸣泉区", "苹野县", "鹿角县"), 250, "normal"),
    UnitSpec("丹枫市", "北片", "DF", ("枫林区", "丹霞县", "红叶县", "霜桥县"), 240, "normal"),
    UnitSpec("雁回市", "北片", "YH", ("雁归区", "回澜区", "芦荻县", "晴沙县"), 260, "slow", PAPER),
    UnitSpec("望川市", "北片", "WC", ("远川区", "千帆区", "溪桥县", "石舫县", "川渡县"), 290, "normal"),
    UnitSpec("柳汀市", "北片", "LT", ("柳岸区", "汀洲区", "杏花县", "絮桥县"), 230, "normal"),
)

# Planted patterns (see the module docstring).
JUMP = ("雁回市", dt.date(2026, 4, 1))
RUSH = ("鹿鸣市", dt.date(2026, 6, 1))
SHRINK = ("望川市", dt.date(2026, 6, 1), 6)
OVERSTATED = ("望川市", dt.date(2026, 9, 1), (3, 6), (2, 4))  # (unit, month, (project index, extra completed), ...)
STALE = ("丹枫市", dt.date(2026, 8, 1))
MISSING = ("丹枫市", dt.date(2026, 3, 1))
BAD_TOTAL = ("丹枫市", dt.date(2026, 2, 1), 10)
OVERDUE_UNIT, OVERDUE_SHARE = "柳汀市", 0.34
NO_EVIDENCE = ("白鹭市", dt.date(2026, 6, 1), 0.7)  # completions from this day lack evidence with this probability
RELAPSES: tuple[tuple[str, dt.date, int], ...] = (
    ("明湖市", dt.date(2026, 5, 1), 2),
    ("白鹭市", dt.date(2026, 8, 1), 1),
    ("青岚市", dt.date(2026, 9, 1), 1),
)
LOW_SATISFACTION = ("白鹭市", (dt.date(2026, 7, 1), dt.date(2026, 10, 1)))
COPIED_MEASURES = ("明湖市", "鹿鸣市", 4, dt.date(2026, 3, 31))  # from, to, how many, copier's items found by
# 鹿鸣市 answers 45% of its 形式主义官僚主义 problems with one of two 明湖市 measures, place names swapped
NEAR_COPIES = ("明湖市", "鹿鸣市", 1, 2, 0.45)  # from, to, project index, donor texts, share of the copier's items
VAGUE_UNIT, VAGUE_SHARE = "金穗市", 0.4  # this share of its 问题描述 are stock phrases only
# 规模 (党员干部数) of the region master: about this many per problem listed over the year, ±5% by unit,
# except FEW_PROBLEMS_UNIT, whose 规模 is this many times what its list would suggest
SCALE_PER_PROBLEM = 185
FEW_PROBLEMS_UNIT, FEW_PROBLEMS_FACTOR = "云栖市", 2.6
SELF_FOUND_UNIT, SELF_FOUND_SHARE = "松涛市", 0.7  # this share of its problems say 问题来源 自查自纠
SATISFACTION_MONTHS = (dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1), dt.date(2026, 10, 1))
# 重点核查 of risky items, per unit and month, and how often they fail (the truth of those items).
TARGETED_PER_MONTH = {HONEST: 2, PAPER: 2}
HARD_CHECKED = ("柳汀市", 5)
TARGETED_FAIL = {HONEST: 0.55, PAPER: 0.75}
# The LQAS round: report month, n per unit, seed; a unit whose results are not all back yet.
LQAS_ROUND = (dt.date(2026, 10, 1), 19, 2026)
LQAS_PENDING = ("望川市", 7)

# --- vocabularies for the texts -------------------------------------------

P_MEAL, P_FORMALISM, P_PETTY, P_BUSINESS = domain.PROJECTS
PROJECT_WEIGHTS = (20, 30, 30, 20)
PROJECT_CODES = {P_MEAL: "WG", P_FORMALISM: "XS", P_PETTY: "WF", P_BUSINESS: "YS"}
SOURCE_WEIGHTS = dict(zip(domain.SOURCES, (20, 14, 8, 5, 7, 12, 10, 16, 8), strict=True))

AGENCIES: dict[str, tuple[str, ...]] = {
    P_MEAL: ("财政局", "机关事务服务中心", "交通运输局", "文化广电和旅游局", "教育局", "卫生健康局", "水利局", "城市建设投资公司"),
    P_FORMALISM: ("教育局", "民政局", "农业农村局", "政务服务数据管理局", "应急管理局", "统计局", "司法局", "TOWN"),
    P_PETTY: ("TOWN", "TOWN", "民政局", "医疗保障局", "人力资源和社会保障局", "自然资源局", "住房和城乡建设局"),
    P_BUSINESS: ("行政审批服务局", "市场监督管理局", "住房和城乡建设局", "自然资源局", "生态环境分局", "发展和改革局", "商务局", "税务局"),
}
TOWNS = (
    "东坪",
    "石桥",
    "河口",
    "新集",
    "柳塘",
    "白沙",
    "桂溪",
    "杨柳",
    "双河",
    "龙门",
    "马桥",
    "三江",
    "北坡",
    "南湾",
    "高岭",
    "青石",
    "永丰",
    "太平",
)
VILLAGES = ("上坪", "石门", "塘坊", "枫树湾", "下河", "黄泥岗", "竹林", "桥头", "大坪", "新屋", "岭脚", "沙坝")
VENUES = ("农家乐", "私人会所", "企业内部食堂", "隐蔽的山庄", "酒店包间", "培训基地", "景区接待中心")
BENEFITS = ("低保金", "惠农补贴", "危房改造补助", "耕地地力保护补贴", "养老服务补贴", "临时救助资金")
SERVICES = ("不动产登记", "宅基地审批", "社保业务", "户籍业务", "医保报销", "农村建房审批")
FEES = ("证明开具费用", "资料工本费", "停车管理费", "卫生保洁费")
ISSUES = ("小区物业", "农村饮水", "道路破损", "噪音扰民", "垃圾清运", "排水不畅")

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    P_MEAL: (
        "{org}干部在{venue}违规接受管理服务对象宴请",
        "{org}以调研名义在{venue}超标准公务接待",
        "{org}公务接待清单与实际用餐人数不符，存在虚报接待费用问题",
        "{org}机关食堂违规供应高档菜肴和酒水",
        "{org}借培训会议之机安排高档酒水",
        "{org}干部节假日期间在{venue}由企业负责人买单聚餐",
        "{org}以“工作餐”名义在内部食堂组织饮酒",
        "{org}通过虚列会议费、培训费报销餐费",
        "{org}干部违规接受下属单位安排的“一桌餐”",
    ),
    P_FORMALISM: (
        "{org}向村（社区）下发的考核事项过多，台账资料重复报送",
        "{org}要求基层在多个政务APP重复打卡、填报",
        "{org}督查检查考核频次超计划，基层迎检负担重",
        "{org}会议文件精简不到位，以文件落实文件",
        "{org}工作群过多，要求基层“随时在线”“即时回复”",
        "{org}把属于自身职责的事项转嫁给乡镇（街道）",
        "{org}调研走过场，“打卡式”调研问题突出",
        "{org}要求基层提供“留痕”材料，层层加码",
        "{org}政务新媒体“僵尸号”“空壳号”未及时关停",
    ),
    P_PETTY: (
        "{village}在{benefit}发放中优亲厚友",
        "{org}工作人员在办理{service}时吃拿卡要",
        "{village}村级集体资金管理不规范，存在白条入账",
        "{org}违规收取{fee}",
        "{village}村干部在小型工程项目中插手干预、收受好处",
        "{village}截留挪用{benefit}",
        "{village}在低保评定中不按程序公示",
        "{org}对群众反映的{issue}问题推诿扯皮、久拖不办",
    ),
    P_BUSINESS: (
        "{org}行政审批环节多、时限长，企业反映办事难",
        "{org}对企业检查频次过多，存在多头执法",
        "{org}拖欠中小企业账款",
        "{org}在政府采购中设置不合理门槛",
        "{org}涉企收费项目未公示，存在违规收费",
        "{org}窗口工作人员服务态度生硬、“门难进、脸难看”",
        "{org}对企业诉求响应不及时，存在“新官不理旧账”",
        "{org}招商引资承诺的优惠政策未兑现",
    ),
}
DETAILS: dict[str, tuple[str, ...]] = {
    P_MEAL: ("，涉及金额{amount}元", "，涉及干部{people}人", "，群众多次反映", ""),
    P_FORMALISM: ("，基层干部反映强烈", "，涉及{people}个村（社区）", "，占用基层大量工作时间", ""),
    P_PETTY: ("，涉及金额{amount}元", "，涉及群众{people}户", "，群众多次信访", ""),
    P_BUSINESS: ("，涉及企业{people}家", "，涉及金额{amount}万元", "，企业多次反映", ""),
}
MEASURES: dict[str, tuple[str, ...]] = {
    P_MEAL: (
        "对涉事人员进行提醒谈话并责令退赔相关费用",
        "修订公务接待管理办法，严格执行接待审批和清单制度",
        "开展公务接待费用专项自查，逐笔核对报销凭证",
        "通报典型案例，开展警示教育",
        "纳入作风监督哨重点监测对象，节假日开展明察暗访",
        "建立接待费用季度公开制度",
        "对食堂采购和用餐登记实行台账管理",
    ),
    P_FORMALISM: (
        "清理规范面向基层的考核事项，精简台账报表",
        "整合关停重复建设的政务APP和工作群",
        "制定督查检查考核年度计划，实行总量控制",
        "严格落实会议文件审批，压减发文数量",
        "明确乡镇（街道）履职事项清单，严禁向基层转嫁责任",
        "建立基层减负观测点，定期听取基层意见",
        "对相关责任人进行批评教育并在系统内通报",
    ),
    P_PETTY: (
        "追缴违规发放资金并退还群众",
        "对涉事人员给予党纪政务处分",
        "开展惠民惠农资金发放专项清理，逐户核实",
        "推行村级事务“阳光公开”，每月张榜公示",
        "建立村级小微权力清单，规范运行流程",
        "畅通群众诉求渠道，设立监督举报二维码",
        "组织回访群众，确认问题解决到位",
    ),
    P_BUSINESS: (
        "梳理审批事项，压减审批环节和办理时限",
        "推行“综合查一次”，统筹涉企检查计划",
        "制定清欠计划，按时序清偿拖欠账款",
        "清理政府采购中的不合理限制条款",
        "公示涉企收费清单，清退违规收费",
        "开展窗口服务作风整顿，实行首问负责制",
        "建立企业诉求“直通车”，限时办结反馈",
        "对相关责任人进行约谈并督促整改",
    ),
}
CLOSINGS = (
    "，{date}前对{place}整改情况开展回头看，走访{n}人次",
    "，整改结果于{date}在{place}公示，接受群众监督",
    "，{date}已向{place}反馈整改结果，回访群众{n}人",
    "，由{place}在{date}前报送整改报告和佐证材料",
    "，{date}组织{place}{n}名干部参加警示教育",
)
OPENERS = (
    "{responsible}召开专题会议研究部署，",
    "{responsible}主要负责同志牵头督办，",
    "{county}纪委监委跟进监督，",
    "成立由{responsible}负责同志任组长的整改专班，",
    "{responsible}制定整改方案，",
    "{county}召开整改推进会，",
)
EVIDENCE: dict[str, tuple[str, ...]] = {
    P_MEAL: ("退赔凭证.pdf", "谈话记录.pdf", "接待清单.xlsx", "整改报告.pdf", "通报文件.pdf"),
    P_FORMALISM: ("精简事项清单.xlsx", "关停APP清单.pdf", "会议纪要.pdf", "整改报告.pdf", "制度文件.pdf"),
    P_PETTY: ("资金退还凭证.pdf", "处分决定书.pdf", "公示照片.jpg", "群众回访记录.pdf", "整改报告.pdf"),
    P_BUSINESS: ("清欠台账.xlsx", "审批流程图.pdf", "企业回访表.pdf", "整改前后对比照片.zip", "整改报告.pdf"),
}
OPEN_ENDED = ("长期坚持", "持续推进", "常态化推进")
CHECK_METHODS = (("暗访", 35), ("实地查看", 30), ("电话回访", 12), ("查阅资料", 13), ("走访群众", 10))
CHECK_RESULTS = {
    HONEST: (("整改到位", 70), ("基本到位", 22), ("未整改到位", 7), ("虚假整改", 1)),
    PAPER: (("整改到位", 30), ("基本到位", 15), ("未整改到位", 33), ("虚假整改", 22)),
}
RECHECK_PASS = {HONEST: 0.75, PAPER: 0.3}
RECHECK_SHARE = 0.4  # of last month's failures that are checked again (复查, a targeted check)
FAIL_NOTES = {
    "未整改到位": ("现场查看发现问题仍然存在", "整改措施未落实到位", "群众反映问题未解决", "长效机制尚未建立"),
    "虚假整改": ("台账反映已整改，实地核查未见整改", "佐证材料与实际情况不符", "以会议代替整改，问题依旧", "整改照片系摆拍"),
    "问题反弹": ("回头看发现问题再次出现", "群众再次反映同类问题", "整改后又出现反弹"),
}
INSPECTORS = {"南片": "省第一督导组", "中片": "省第二督导组", "北片": "省第三督导组"}


# --- the invented year ------------------------------------------------------


@dataclass
class Item:
    unit: str
    item_id: str
    project: str
    county: str
    responsible: str
    source: str
    description: str
    root_cause: str | None
    measures: str
    found: dt.date
    start: dt.date  # 推进中 from this day
    done: dt.date | None  # 已完成 from this day (may lie after the period)
    deadline: dt.date | None
    deadline_text: str | None  # 长期坚持 etc. when there is no fixed deadline
    evidence: str | None = None
    dropped_from: dt.date | None = None  # silently left out of ledgers from this month on
    render_key: int = 0  # picks a date style for units that mix them, stable across months

    def done_by(self, day: dt.date) -> bool:
        return self.done is not None and self.done <= day

    def status(self, as_of: dt.date) -> str:
        if self.done_by(as_of):
            return domain.STATUS_DONE
        return domain.STATUS_ONGOING if self.start <= as_of else domain.STATUS_NOT_STARTED

    def listed(self, month: dt.date) -> bool:
        """Whether the unit's ledger of `month` lists this problem."""
        return self.found <= month_end(month) and not (self.dropped_from is not None and month >= self.dropped_from)


@dataclass(frozen=True)
class Check:
    unit: str
    item_id: str
    day: dt.date
    method: str
    result: str
    inspector: str
    note: str
    sampling: str


@dataclass(frozen=True)
class LqasRound:
    month: dt.date
    n: int
    seed: int
    drawn: tuple[tuple[str, str], ...]  # (unit, item_id) the planner draws, unit by unit
    checks: tuple[Check, ...]  # the results that came back (all random draws)


@dataclass
class DemoYear:
    units: tuple[UnitSpec, ...]
    items: dict[str, list[Item]]
    checks: dict[dt.date, list[Check]]
    satisfaction: list[tuple[str, str, dt.date, float, int]]
    copied_measures: list[tuple[str, str]] = field(default_factory=list)  # (明湖 id, 鹿鸣 id)
    lqas: LqasRound | None = None


def _pick(rng: random.Random, weighted: Iterable[tuple[str, int]]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights=weights)[0]


def _found_date(rng: random.Random) -> dt.date:
    if rng.random() < 0.42:
        span = (month_end(dt.date(2025, 10, 1)) - BACKLOG_START).days
        return BACKLOG_START + dt.timedelta(days=rng.randint(0, span))
    month = rng.choices(MONTHS, weights=[16 - i for i in range(len(MONTHS))])[0]
    return month.replace(day=rng.randint(1, month_end(month).day))


def _duration(rng: random.Random, pace: str) -> int:
    r = rng.random()
    if pace == "brisk":  # closes nearly everything within weeks, on paper at least
        return rng.randint(5, 30) if r < 0.85 else rng.randint(30, 80) if r < 0.97 else rng.randint(80, 200)
    if pace == "fast":
        return rng.randint(7, 45) if r < 0.75 else rng.randint(45, 110) if r < 0.95 else rng.randint(110, 300)
    if pace == "slow":
        return rng.randint(30, 120) if r < 0.3 else rng.randint(120, 330) if r < 0.7 else rng.randint(330, 600)
    return rng.randint(15, 90) if r < 0.55 else rng.randint(90, 240) if r < 0.88 else rng.randint(240, 520)


def _round_to_month_end(day: dt.date) -> dt.date:
    return month_end(day.replace(day=1))


class ProblemTexts:
    """Descriptions, responsible units and measures of one unit."""

    def __init__(self, unit: UnitSpec, rng: random.Random) -> None:
        self.unit = unit
        self.rng = rng
        self.towns = {county: rng.sample(TOWNS, 3) for county in unit.counties}

    def responsible(self, project: str, county: str) -> tuple[str, str]:
        """(责任单位, the place a problem is described at)."""
        rng = self.rng
        agency = rng.choice(AGENCIES[project])
        if agency == "TOWN":
            town = rng.choice(self.towns[county])
            suffix = rng.choice(("镇人民政府", "镇人民政府", "街道办事处"))
            place = f"{county}{town}{suffix.removesuffix('人民政府').removesuffix('办事处')}"
            return f"{county}{town}{suffix}", place
        name = f"{self.unit.name}{agency}" if rng.random() < 0.2 else f"{county}{agency}"
        return name, name

    def description(self, project: str, place: str, county: str) -> str:
        rng = self.rng
        village = f"{county}{rng.choice(self.towns[county])}镇{rng.choice(VILLAGES)}村"
        values = {
            "org": place,
            "village": village,
            "venue": rng.choice(VENUES),
            "benefit": rng.choice(BENEFITS),
            "service": rng.choice(SERVICES),
            "fee": rng.choice(FEES),
            "issue": rng.choice(ISSUES),
        }
        detail = rng.choice(DETAILS[project]).format(
            amount=rng.choice((rng.randint(8, 95) * 100, rng.randint(12, 300))), people=rng.randint(2, 18)
        )
        return rng.choice(DESCRIPTIONS[project]).format(**values) + detail

    def measures(self, project: str, responsible: str, county: str, place: str, found: dt.date) -> str:
        """Opener, two or three stock steps, and a closing clause about this very problem (its place, a date,
        a count): what keeps an honest unit's measures from being alike to another unit's."""
        rng = self.rng
        opener = rng.choice(OPENERS).format(responsible=responsible, county=county)
        steps = rng.sample(MEASURES[project], rng.randint(2, 3))
        day = found + dt.timedelta(days=rng.randint(10, 90))
        closing = rng.choice(CLOSINGS).format(place=place, date=f"{day.month}月{day.day}日", n=rng.randint(3, 60))
        return opener + "；".join(steps) + closing + "。"


def _unit_items(unit: UnitSpec, rng: random.Random) -> list[Item]:
    texts = ProblemTexts(unit, rng)
    drafts = sorted((_found_date(rng), rng.choices(domain.PROJECTS, weights=PROJECT_WEIGHTS)[0]) for _ in range(unit.size))
    counters = dict.fromkeys(domain.PROJECTS, 0)
    items: list[Item] = []
    for position, (found, project) in enumerate(drafts):
        counters[project] += 1
        county = rng.choice(unit.counties)
        responsible, place = texts.responsible(project, county)
        duration = _duration(rng, unit.pace)
        natural = found + dt.timedelta(days=duration)
        done: dt.date | None = natural
        deadline: dt.date | None = None
        deadline_text: str | None = None
        if rng.random() < (0.03 if unit.pace == "brisk" else 0.1):
            deadline_text = rng.choice(OPEN_ENDED)
            done = None if rng.random() < 0.6 else found + dt.timedelta(days=rng.randint(150, 400))
        elif unit.name == OVERDUE_UNIT and rng.random() < OVERDUE_SHARE:
            deadline = found + dt.timedelta(days=rng.randint(30, 80))
            if rng.random() < 0.5:
                deadline = _round_to_month_end(deadline)
            done = None if rng.random() < 0.3 else max(natural, deadline + dt.timedelta(days=rng.randint(25, 200)))
        else:
            deadline = natural + dt.timedelta(days=rng.randint(5, 60))
            if rng.random() < 0.5:
                deadline = _round_to_month_end(deadline)
        start = found + dt.timedelta(days=rng.randint(0, min(25, duration // 3)))
        if done is not None and done < start:
            start = done
        items.append(
            Item(
                unit=unit.name,
                item_id="",
                project=project,
                county=county,
                responsible=responsible,
                source=rng.choices(list(SOURCE_WEIGHTS), weights=list(SOURCE_WEIGHTS.values()))[0],
                description=texts.description(project, place, county),
                root_cause=rng.choice(domain.ROOT_CAUSES) if rng.random() < 0.9 else None,
                measures=texts.measures(project, responsible, county, place, found),
                found=found,
                start=start,
                done=done,
                deadline=deadline,
                deadline_text=deadline_text,
                render_key=position,
            )
        )
        items[-1].item_id = f"{PROJECT_CODES[project]}#{counters[project]}"  # formatted per unit style later
    return items


def _open_at(item: Item, day: dt.date) -> bool:
    return not item.done_by(day)


def _project_rate(items: Sequence[Item], project: str, month: dt.date) -> float:
    listed = [i for i in items if i.project == project and i.listed(month)]
    end = month_end(month)
    return sum(i.done_by(end) for i in listed) / len(listed)


def _plant_jump(items: list[Item], month: dt.date, rng: random.Random) -> None:
    """Close a batch of open items during `month`, spread over the month: each project's rate rises ≥ 30 points."""
    before, end = month_end(previous_month(month)), month_end(month)
    for project in domain.PROJECTS:
        candidates = [i for i in items if i.project == project and i.found <= before and _open_at(i, end)]
        rng.shuffle(candidates)
        while candidates and _project_rate(items, project, month) - _project_rate(items, project, previous_month(month)) < 0.33:
            item = candidates.pop()
            item.done = month.replace(day=rng.randint(1, end.day))
            item.start = min(item.start, item.done)


def _plant_rush(items: list[Item], month: dt.date, rng: random.Random) -> None:
    """Nearly all of the month's completions fall on its last three days: about 14 per project, as far as items are open."""
    end = month_end(month)
    last_days = [end - dt.timedelta(days=k) for k in range(3)]
    for project in domain.PROJECTS:
        closing = [i for i in items if i.project == project and i.done is not None and month <= i.done <= end]
        for item in closing:
            if rng.random() < 0.9 and item.found <= last_days[-1]:
                item.done = rng.choice(last_days)
        extra = [i for i in items if i.project == project and i.found < last_days[-1] and _open_at(i, end) and i.deadline_text is None]
        rng.shuffle(extra)
        for item in extra[: max(0, 14 - len(closing))]:
            item.done = rng.choice(last_days)
            item.start = min(item.start, item.done)


def _plant_shrink(items: list[Item], month: dt.date, count: int, rng: random.Random) -> None:
    """Open problems of the previous ledger silently left out from `month` on (two projects)."""
    before = month_end(previous_month(month))
    for project in (P_PETTY, P_BUSINESS):
        candidates = [i for i in items if i.project == project and i.found <= before and _open_at(i, month_end(month))]
        for item in rng.sample(candidates, count // 2):
            item.dropped_from = month


VAGUE_DESCRIPTIONS = (
    "作风不实问题",
    "责任落实不到位",
    "思想认识不到位，存在形式主义问题",
    "部分干部担当意识不强",
    "工作作风不够扎实",
    "存在一些官僚主义现象",
    "个别干部责任意识有待加强",
    "落实方面仍然存在不足",
)


def _plant_near_copies(
    source: UnitSpec, target: UnitSpec, items: dict[str, list[Item]], keep: set[str], rng: random.Random
) -> None:
    """上下一般粗: the target answers a share of one project's problems with a few of the source's measures,
    the source's place names swapped for its own (a few characters changed, Jaccard about 0.8-0.9)."""
    _from, _to, project_index, donors, share = NEAR_COPIES
    project = domain.PROJECTS[project_index]
    donor_texts = [i.measures for i in rng.sample([i for i in items[source.name] if i.project == project], donors)]
    copiers = [i for i in items[target.name] if i.project == project and i.item_id not in keep]  # keep: the verbatim copies
    for item in rng.sample(copiers, round(len(copiers) * share)):
        text = rng.choice(donor_texts).replace(source.name, target.name)
        for county in source.counties:
            text = text.replace(county, item.county)
        item.measures = text


def _plant_vague(items: list[Item], rng: random.Random) -> None:
    """大而化之: a share of the unit's 问题描述 say nothing but stock phrases."""
    for item in rng.sample(items, round(len(items) * VAGUE_SHARE)):
        item.description = rng.choice(VAGUE_DESCRIPTIONS)


def _plant_self_found(items: list[Item], rng: random.Random) -> None:
    """A list that comes almost only from the unit's own 自查自纠: little from petitions, inspections or audits."""
    for item in rng.sample(items, round(len(items) * SELF_FOUND_SHARE)):
        item.source = "自查自纠"


def unit_scale(unit: UnitSpec) -> int:
    """The demo region master's 规模 of `unit` (see SCALE_PER_PROBLEM)."""
    position = UNITS.index(unit)
    jitter = 1 + ((position * 37) % 11 - 5) / 100
    factor = FEW_PROBLEMS_FACTOR if unit.name == FEW_PROBLEMS_UNIT else 1.0
    return round(unit.size * SCALE_PER_PROBLEM * jitter * factor / 10) * 10


def _attach_evidence(unit: UnitSpec, items: list[Item], rng: random.Random, id_prefix: bool) -> None:
    for item in items:
        if item.done is None:
            continue
        lacking = 0.01
        if unit.name == NO_EVIDENCE[0] and item.done >= NO_EVIDENCE[1]:
            lacking = NO_EVIDENCE[2]
        if rng.random() < lacking:
            item.evidence = None
            continue
        files = rng.sample(EVIDENCE[item.project], rng.randint(1, 2))
        if id_prefix:
            files[0] = item.item_id + files[0]
        item.evidence = "、".join(files)


def _copy_measures(source: list[Item], target: list[Item], count: int, by: dt.date, rng: random.Random) -> list[tuple[str, str]]:
    copied: list[tuple[str, str]] = []
    used: list[str] = []
    candidates = [i for i in target if i.found <= by]
    for item in rng.sample(candidates, count):
        donor = rng.choice([i for i in source if i.project == item.project and i.measures not in used])
        used.append(donor.measures)
        item.measures = donor.measures
        copied.append((donor.item_id, item.item_id))
    return copied


# --- per-unit writing habits ------------------------------------------------


@dataclass(frozen=True)
class UnitStyle:
    ledger_sheet: str
    summary_sheet: str
    ledger_headers: dict[str, str]
    summary_headers: dict[str, str]
    region_first: bool
    date_style: str  # excel | iso | slash | dot | cn | mixed
    project_style: str  # full | short | numbered
    status_words: dict[str, str]
    root_short: bool
    region_written: str
    month_column: bool
    month_text: str  # iso | cn
    remark_column: bool
    id_format: str
    evidence_prefix: bool
    rate_style: str  # pct1 | pct2 | frac | bare
    counts_as_text: bool
    signature: bool
    guide_sheet: bool


HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "item_id": ("问题编号", "问题编号", "编号", "问题\n编号"),
    "region": ("地区", "地区", "所属地区"),
    "county": ("县区", "县（市、区）", "县市区"),
    "responsible_unit": ("责任单位", "整改责任单位"),
    "project": ("整治项目", "整治项目", "所属项目"),
    "source": ("问题来源", "来源"),
    "description": ("问题描述", "具体问题", "问题表现"),
    "root_cause": ("根源类别", "问题根源"),
    "measures": ("整改措施", "整改措施及成效", "整改举措"),
    "found_date": ("发现日期", "发现时间"),
    "deadline": ("整改时限", "整改\n时限", "完成时限"),
    "status": ("整改状态", "整改进展", "整改\n状态"),
    "completed_date": ("完成日期", "完成时间", "销号日期"),
    "evidence": ("佐证材料", "佐证资料"),
    "month": ("报送月份", "填报月份"),
}
SUMMARY_VARIANTS: dict[str, tuple[str, ...]] = {
    "region": ("地区", "地区"),
    "project": ("整治项目", "整治项目"),
    "total": ("问题总数", "问题数", "排查问题数"),
    "completed": ("已完成数", "已整改数", "完成数"),
    "stated_rate": ("整改完成率", "完成率", "整改率"),
    "month": ("报送月份",),
}


def _unit_style(unit: UnitSpec, rng: random.Random, date_style: str, rate_style: str) -> UnitStyle:
    region_written = unit.name
    if unit.abbr == "CW":
        region_written = unit.name.removesuffix("市")  # the region master still matches it
    elif unit.abbr == "ST":
        region_written = unit.name + "\u3000"
    return UnitStyle(
        ledger_sheet=rng.choice(("问题台账", "问题台账", "整改问题台账", "问题清单")),
        summary_sheet=rng.choice(("汇总", "汇总表", "进展统计")),
        ledger_headers={name: rng.choice(options) for name, options in HEADER_VARIANTS.items()},
        summary_headers={name: rng.choice(options) for name, options in SUMMARY_VARIANTS.items()},
        region_first=rng.random() < 0.3,
        date_style=date_style,
        project_style=rng.choice(("full", "short", "numbered")),
        status_words={
            domain.STATUS_DONE: rng.choice(("已完成", "已完成", "已销号", "已整改")),
            domain.STATUS_ONGOING: rng.choice(("推进中", "整改中", "正在整改")),
            domain.STATUS_NOT_STARTED: rng.choice(("未启动", "未开始")),
        },
        root_short=rng.random() < 0.3,
        region_written=region_written,
        month_column=rng.random() < 0.4,
        month_text=rng.choice(("iso", "cn")),
        remark_column=rng.random() < 0.3,
        id_format=rng.choice(("{code}-{n:03d}", "{code}{n:04d}", "{abbr}-{code}-{n:03d}", "{abbr}{code}{n:03d}")),
        evidence_prefix=rng.random() < 0.3,
        rate_style=rate_style,
        counts_as_text=rng.random() < 0.2,
        signature=rng.random() < 0.5,
        guide_sheet=rng.random() < 0.25,
    )


def _format_ids(unit: UnitSpec, style: UnitStyle, items: list[Item]) -> None:
    for item in items:
        code, number = item.item_id.split("#")
        item.item_id = style.id_format.format(code=code, n=int(number), abbr=unit.abbr)


# --- the whole year -----------------------------------------------------------


def invent(seed: int = 2026) -> tuple[DemoYear, dict[str, UnitStyle]]:
    """The demo year and each unit's writing habits (deterministic in `seed`)."""
    rng = random.Random(seed)
    date_styles = ["excel", "iso", "slash", "dot", "cn", "mixed"] * 3
    rate_styles = ["pct1", "pct2", "frac", "bare"] * 4
    rng.shuffle(date_styles)
    rng.shuffle(rate_styles)
    styles: dict[str, UnitStyle] = {}
    items: dict[str, list[Item]] = {}
    for position, unit in enumerate(UNITS):
        style = _unit_style(unit, rng, date_styles[position], rate_styles[position])
        styles[unit.name] = style
        unit_items = _unit_items(unit, rng)
        _format_ids(unit, style, unit_items)
        items[unit.name] = unit_items
    _plant_jump(items[JUMP[0]], JUMP[1], rng)
    _plant_rush(items[RUSH[0]], RUSH[1], rng)
    _plant_shrink(items[SHRINK[0]], SHRINK[1], SHRINK[2], rng)
    copied = _copy_measures(items[COPIED_MEASURES[0]], items[COPIED_MEASURES[1]], COPIED_MEASURES[2], COPIED_MEASURES[3], rng)
    by_name = {unit.name: unit for unit in UNITS}
    _plant_near_copies(by_name[NEAR_COPIES[0]], by_name[NEAR_COPIES[1]], items, {copier for _donor, copier in copied}, rng)
    _plant_vague(items[VAGUE_UNIT], rng)
    _plant_self_found(items[SELF_FOUND_UNIT], rng)
    for unit in UNITS:
        _attach_evidence(unit, items[unit.name], rng, styles[unit.name].evidence_prefix)
    checks = _invent_checks(items, rng)
    satisfaction = _invent_satisfaction(rng)
    round_ = _invent_lqas_round(items, checks, rng)
    return DemoYear(UNITS, items, checks, satisfaction, copied, round_), styles


def _note(result: str, rng: random.Random) -> str:
    if result in FAIL_NOTES:
        return rng.choice(FAIL_NOTES[result])
    return rng.choice(("", "", "", "群众反映良好", "已建立长效机制"))


def _invent_checks(items: dict[str, list[Item]], rng: random.Random) -> dict[dt.date, list[Check]]:
    """Each month: random draws among items reported done, rechecks of last month's failures, planted relapses."""
    by_month: dict[dt.date, list[Check]] = {}
    drawn: dict[str, set[str]] = {unit.name: set() for unit in UNITS}
    latest: dict[tuple[str, str], Check] = {}
    relapses = {(unit, month): count for unit, month, count in RELAPSES}
    for month in MONTHS:
        checks: list[Check] = []
        reported_by = month_end(previous_month(month))
        for unit in UNITS:
            by_id = {i.item_id: i for i in items[unit.name]}
            visits: list[tuple[Item, str, str, str]] = []  # (item, result, sampling, method)
            # rechecks of items that failed last month
            for (unit_name, item_id), check in sorted(latest.items()):
                if unit_name != unit.name or check.day < previous_month(month) or check.result not in ("未整改到位", "虚假整改"):
                    continue
                if rng.random() < RECHECK_SHARE:
                    passed = rng.random() < RECHECK_PASS[unit.checks]
                    visits.append((by_id[item_id], "整改到位" if passed else check.result, domain.SAMPLING_TARGETED, "复查"))
            eligible = [i for i in items[unit.name] if i.done_by(reported_by) and i.listed(month) and i.item_id not in drawn[unit.name]]
            count = rng.randint(9, 11) if unit.checks == PAPER else rng.randint(5, 8)
            for item in rng.sample(eligible, min(count, len(eligible))):
                drawn[unit.name].add(item.item_id)
                visits.append((item, _pick(rng, CHECK_RESULTS[unit.checks]), domain.SAMPLING_RANDOM, _pick(rng, CHECK_METHODS)))
            # targeted checks of risky items not checked before: inspectors go where failure is likely
            targeted = HARD_CHECKED[1] if unit.name == HARD_CHECKED[0] else TARGETED_PER_MONTH[unit.checks]
            left = [i for i in eligible if i.item_id not in drawn[unit.name]]
            risky, others = [i for i in left if _looks_risky(i)], [i for i in left if not _looks_risky(i)]
            rng.shuffle(risky)
            rng.shuffle(others)
            for item in (risky + others)[:targeted]:
                drawn[unit.name].add(item.item_id)
                failed = rng.random() < TARGETED_FAIL[unit.checks]
                result = rng.choice(("未整改到位", "虚假整改") if failed else ("整改到位", "基本到位"))
                visits.append((item, result, domain.SAMPLING_TARGETED, rng.choice(("实地查看", "暗访"))))
            relapsing = relapses.get((unit.name, month), 0)
            if relapsing:
                passed_before = [
                    by_id[item_id]
                    for (unit_name, item_id), check in sorted(latest.items())
                    if unit_name == unit.name and check.result in domain.CHECK_PASS and check.day < month and by_id[item_id].listed(month)
                ]
                for item in rng.sample(passed_before, min(relapsing, len(passed_before))):
                    visits.append((item, domain.CHECK_RELAPSE, domain.SAMPLING_TARGETED, "回头看"))
            for item, result, sampling, method in visits:
                check = Check(
                    unit.name,
                    item.item_id,
                    month.replace(day=rng.randint(3, 26)),
                    method,
                    result,
                    INSPECTORS[unit.zone],
                    _note(result, rng),
                    sampling,
                )
                checks.append(check)
                latest[(unit.name, item.item_id)] = check
        checks.sort(key=lambda c: (c.day, [u.name for u in UNITS].index(c.unit), c.item_id))
        by_month[month] = checks
    return by_month


def _looks_risky(item: Item) -> bool:
    """What draws a targeted check: no evidence, or closed in the last three days of a month."""
    return item.done is not None and (item.evidence is None or item.done > month_end(item.done) - dt.timedelta(days=3))


def _invent_lqas_round(items: dict[str, list[Item]], checks: dict[dt.date, list[Check]], rng: random.Random) -> LqasRound:
    """The planner's LQAS draw from October's candidates (done by the month end, listed, never checked),
    and the results: as the unit's checks turn out, except the pending unit's last items."""
    import pandas as pd

    from rectlens.planner import lqas_sample

    month, n, seed = LQAS_ROUND
    end = month_end(month)
    seen = {(c.unit, c.item_id) for month_checks in checks.values() for c in month_checks}
    pool = [
        (unit.name, i.item_id)
        for unit in UNITS
        for i in items[unit.name]
        if i.listed(month) and i.done_by(end) and (unit.name, i.item_id) not in seen
    ]
    frame = pd.DataFrame(pool, columns=["region", "item_id"])
    drawn = lqas_sample(frame, n, seed)
    pairs = tuple(zip(drawn["region"], drawn["item_id"], strict=True))
    specs = {unit.name: unit for unit in UNITS}
    by_id = {(unit.name, i.item_id): i for unit in UNITS for i in items[unit.name]}
    results: list[Check] = []
    for unit_name in dict.fromkeys(region for region, _ in pairs):
        unit_pairs = [pair for pair in pairs if pair[0] == unit_name]
        if unit_name == LQAS_PENDING[0]:
            unit_pairs = unit_pairs[: len(unit_pairs) - LQAS_PENDING[1]]
        for pair in unit_pairs:
            item = by_id[pair]
            assert item.done is not None
            first = max(item.done, month.replace(day=5))
            day = first + dt.timedelta(days=rng.randint(0, (end - first).days))
            result = _pick(rng, CHECK_RESULTS[specs[unit_name].checks])
            zone = specs[unit_name].zone
            results.append(
                Check(
                    unit_name,
                    item.item_id,
                    day,
                    _pick(rng, CHECK_METHODS),
                    result,
                    INSPECTORS[zone],
                    _note(result, rng),
                    domain.SAMPLING_RANDOM,
                )
            )
    results.sort(key=lambda c: (list(specs).index(c.unit), c.day, c.item_id))
    return LqasRound(month, n, seed, pairs, tuple(results))


def _invent_satisfaction(rng: random.Random) -> list[tuple[str, str, dt.date, float, int]]:
    rows: list[tuple[str, str, dt.date, float, int]] = []
    for month in SATISFACTION_MONTHS:
        for unit in UNITS:
            for project in domain.PROJECTS:
                if unit.name == LOW_SATISFACTION[0] and month in LOW_SATISFACTION[1]:
                    value = rng.uniform(0.60, 0.68)
                elif unit.checks == PAPER:
                    value = rng.uniform(0.74, 0.84)
                else:
                    value = rng.uniform(0.82, 0.96)
                rows.append((unit.name, project, month, round(value, 3), rng.randint(120, 400)))
    return rows


# --- workbooks ----------------------------------------------------------------


def _date_cell(day: dt.date, style: str, key: int) -> Cell:
    if style == "mixed":
        style = ("excel", "iso", "slash", "cn")[key % 4]
    if style == "excel":
        return day
    if style == "iso":
        return day.isoformat()
    if style == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if style == "dot":
        return f"{day.year}.{day.month:02d}.{day.day:02d}"
    return f"{day.year}年{day.month}月{day.day}日"


def _project_cell(project: str, style: str) -> str:
    if style == "short":
        return domain.PROJECT_SHORT[project]
    if style == "numbered":
        return f"{domain.PROJECTS.index(project) + 1}.{project}"
    return project


def _rate_cell(rate: float, style: str) -> Cell | Percent:
    if style == "frac":
        return Percent(round(rate, 4))
    if style == "bare" and rate >= 0.02:
        return round(rate * 100, 1)
    if style == "pct2":
        return f"{rate * 100:.2f}%"
    return f"{rate * 100:.1f}%"


def _month_cell(month: dt.date, style: UnitStyle) -> str:
    return f"{month.year}-{month.month:02d}" if style.month_text == "iso" else _ym(month)


def _filing_day(month: dt.date, rng: random.Random) -> dt.date:
    following = month_end(month) + dt.timedelta(days=1)
    return following.replace(day=rng.randint(1, 7))


LEDGER_NOTE = (
    "注：1. 整改状态填写“未启动”“推进中”“已完成”；2. 已完成的问题须填写完成日期并附佐证材料；3. 本表为累计台账，已销号问题不得删减。"
)
SUMMARY_NOTE = "注：整改完成率＝已完成数÷问题总数；本表数据应与问题台账一致。"
GUIDE_TEXT = (
    "1. 每月5日前报送上月累计台账和汇总表；",
    "2. 问题编号一经确定不得变更；",
    "3. 已完成问题须上传佐证材料。",
)


def _ledger_block(unit: UnitSpec, style: UnitStyle, month: dt.date, rows: list[Item], as_of: dt.date, filed: dt.date) -> SheetBlock:
    fields = [c.field for c in domain.LEDGER_LAYOUT.columns if c.field != "month"]
    if style.region_first:
        fields.remove("region")
        fields.remove("county")
        fields[0:0] = ["region", "county"]
    if style.month_column:
        fields.append("month")
    header = ["序号", *(style.ledger_headers[f] for f in fields)]
    if style.remark_column:
        header.append("备注")
    ordered = sorted(rows, key=lambda i: (domain.PROJECTS.index(i.project), i.found, i.item_id))
    data: list[list[Cell | Percent]] = []
    for number, item in enumerate(ordered, start=1):
        status = item.status(as_of)
        done = status == domain.STATUS_DONE
        values: dict[str, Cell] = {
            "item_id": item.item_id,
            "region": style.region_written,
            "county": item.county,
            "responsible_unit": item.responsible,
            "project": _project_cell(item.project, style.project_style),
            "source": item.source,
            "description": item.description,
            "root_cause": (item.root_cause.removesuffix("问题") if style.root_short else item.root_cause) if item.root_cause else None,
            "measures": item.measures,
            "found_date": _date_cell(item.found, style.date_style, item.render_key),
            "deadline": item.deadline_text if item.deadline is None else _date_cell(item.deadline, style.date_style, item.render_key + 1),
            "status": style.status_words[status],
            "completed_date": _date_cell(item.done, style.date_style, item.render_key) if done and item.done else None,
            "evidence": (item.evidence or ("", "无", "/")[item.render_key % 3]) if done else None,
            "month": _month_cell(month, style),
        }
        row: list[Cell | Percent] = [number, *(values[f] for f in fields)]
        if style.remark_column:
            row.append("长期坚持" if item.deadline_text and not done else None)
        data.append(row)
    region_col = 1 + fields.index("region")
    widths = [6] + [{"description": 36, "measures": 44, "responsible_unit": 20, "evidence": 24}.get(f, 12) for f in fields]
    return SheetBlock(
        name=style.ledger_sheet,
        header=header,
        rows=data,
        titles=(
            f"{unit.name}学习教育整改整治问题台账（{_ym(month)}）",
            f"填报单位：{unit.name}学习教育整改整治工作专班（盖章）　　　　填报日期：{filed.year}年{filed.month}月{filed.day}日",
        ),
        notes=(LEDGER_NOTE,),
        signature=("填报人：　　　　审核人：", "联系电话：") if style.signature else (),
        merge_columns=(region_col,),
        widths=widths,
    )


def _summary_counts(rows: list[Item], as_of: dt.date) -> list[tuple[str, int, int]]:
    counts = []
    for project in domain.PROJECTS:
        listed = [i for i in rows if i.project == project]
        counts.append((project, len(listed), sum(i.done_by(as_of) for i in listed)))
    return counts


def _summary_block(
    unit: UnitSpec, style: UnitStyle, month: dt.date, counts: list[tuple[str, int, int]], filed: dt.date, total_shift: int
) -> SheetBlock:
    fields = ["region", "project", "total", "completed", "stated_rate"] + (["month"] if style.month_column else [])
    header = ["序号", *(style.summary_headers[f] for f in fields)]

    def count_cell(value: int) -> Cell:
        return str(value) if style.counts_as_text else value

    data: list[list[Cell | Percent]] = []
    for number, (project, total, completed) in enumerate(counts, start=1):
        row: list[Cell | Percent] = [
            number,
            style.region_written,
            _project_cell(project, style.project_style),
            count_cell(total),
            count_cell(completed),
            _rate_cell(completed / total, style.rate_style),
        ]
        if style.month_column:
            row.append(_month_cell(month, style))
        data.append(row)
    all_total = sum(c[1] for c in counts)
    all_completed = sum(c[2] for c in counts)
    total_row: list[Cell | Percent] = [
        "合计",
        None,
        None,
        count_cell(all_total + total_shift),
        count_cell(all_completed),
        _rate_cell(all_completed / all_total, style.rate_style),
    ]
    if style.month_column:
        total_row.append(None)
    return SheetBlock(
        name=style.summary_sheet,
        header=header,
        rows=data,
        titles=(
            f"{unit.name}整改整治工作进展汇总表（{_ym(month)}）",
            f"填报单位：{unit.name}学习教育整改整治工作专班　　　　填报日期：{filed.year}年{filed.month}月{filed.day}日",
        ),
        total=total_row,
        total_span=3,
        notes=(SUMMARY_NOTE,),
        merge_columns=(1,),
        widths=[6, 10, 40, 10, 10, 12, 10][: len(header)],
    )


def _guide_block() -> SheetBlock:
    return SheetBlock(name="填报说明", header=("填报说明",), rows=[[line] for line in GUIDE_TEXT], widths=(60,))


def unit_month_file(unit: UnitSpec, month: dt.date) -> str:
    return f"{unit.name}_{_ym(month)}_整改台账.xlsx"


def checks_file(month: dt.date) -> str:
    return f"省督导办_{_ym(month)}_核查结果.xlsx"


def lqas_file(month: dt.date) -> str:
    return f"省督导办_{_ym(month)}_批质量保证抽样核查结果.xlsx"


SATISFACTION_FILE = "群众评议_2026年度.xlsx"
REGIONS_FILE = "地区表.xlsx"
# Who the audit log and the upload history name for the demo's own uploads.
BUILDER = Actor(login="system:demo", name="示例数据", roles=(OPERATOR,))


def _write_unit_month(out_dir: Path, unit: UnitSpec, style: UnitStyle, items: list[Item], month: dt.date, rng: random.Random) -> str:
    filed = _filing_day(month, rng)
    as_of_month = previous_month(month) if (unit.name, month) == STALE else month
    as_of = month_end(as_of_month)
    rows = [i for i in items if i.listed(as_of_month)]
    counts = _summary_counts(rows, as_of)
    if (unit.name, month) == OVERSTATED[:2]:
        for project_index, extra in OVERSTATED[2:]:
            project, total, completed = counts[project_index]
            counts[project_index] = (project, total, min(total, completed + extra))
    shift = BAD_TOTAL[2] if (unit.name, month) == BAD_TOTAL[:2] else 0
    blocks = [_ledger_block(unit, style, month, rows, as_of, filed), _summary_block(unit, style, month, counts, filed, shift)]
    if style.guide_sheet:
        blocks.append(_guide_block())
    name = unit_month_file(unit, month)
    write_workbook(out_dir / name, blocks, filed)
    return name


def _write_checks(out_dir: Path, month: dt.date, checks: list[Check]) -> str:
    excel_dates = month.month % 3 != 0
    short_names = month.month % 4 == 1
    rows: list[list[Cell | Percent]] = []
    for number, check in enumerate(checks, start=1):
        rows.append(
            [
                number,
                check.item_id,
                check.unit.removesuffix("市") if short_names else check.unit,
                check.day if excel_dates else f"{check.day.year}.{check.day.month:02d}.{check.day.day:02d}",
                check.method,
                check.result,
                check.inspector,
                check.note,
                check.sampling,
            ]
        )
    block = SheetBlock(
        name="核查结果",
        header=("序号", "问题编号", "地区", "核查日期", "核查方式", "核查结论", "核查人", "备注", "抽样方式"),
        rows=rows,
        titles=(f"{_ym(month)}整改整治“四不两直”暗访核查结果汇总",),
        notes=("注：抽样方式为“随机抽查”的记录用于估计整改真实率；“重点核查”为复查、回头看等定向核查。",),
        widths=(6, 14, 10, 12, 10, 12, 14, 30, 10),
    )
    name = checks_file(month)
    write_workbook(out_dir / name, [block], month_end(month) + dt.timedelta(days=2))
    return name


def _write_lqas(out_dir: Path, round_: LqasRound) -> str:
    """The LQAS plan's 核查结果 sheet as the inspectors send it back: results typed in, unchecked rows deleted."""
    rows: list[list[Cell | Percent]] = [
        [c.item_id, c.unit, c.day, c.method, c.result, c.inspector, c.note or None, c.sampling] for c in round_.checks
    ]
    block = SheetBlock(
        name="核查结果",
        header=tuple(column.title for column in domain.CHECKS_LAYOUT.columns),
        rows=rows,
        widths=(14, 10, 12, 10, 12, 14, 30, 10),
    )
    name = lqas_file(round_.month)
    write_workbook(out_dir / name, [block], month_end(round_.month) + dt.timedelta(days=3))
    return name


def _write_satisfaction(out_dir: Path, rows: list[tuple[str, str, dt.date, float, int]]) -> str:
    data: list[list[Cell | Percent]] = [
        [number, unit, domain.PROJECT_SHORT[project], _ym(month), f"{value * 100:.1f}%", size]
        for number, (unit, project, month, value, size) in enumerate(rows, start=1)
    ]
    block = SheetBlock(
        name="群众评议",
        header=("序号", "地区", "整治项目", "报送月份", "满意度", "样本数"),
        rows=data,
        titles=("2026年度整改整治工作群众满意度评议结果",),
        notes=("注：满意度由第三方机构按季度电话调查，样本数为有效样本。",),
        merge_columns=(1,),
        widths=(6, 10, 18, 12, 10, 10),
    )
    write_workbook(out_dir / SATISFACTION_FILE, [block], dt.date(2026, 11, 5))
    return SATISFACTION_FILE


def write_region_master(out_dir: Path) -> str:
    rows: list[list[Cell | Percent]] = [
        [unit.name, unit.zone, county, unit_scale(unit) if position == 0 else None]
        for unit in UNITS
        for position, county in enumerate(unit.counties)
    ]
    block = SheetBlock(
        name="地区表",
        header=("地区", "片区", "县区", "规模（党员干部数）"),
        rows=rows,
        titles=("整改整治报送单位及县区一览表",),
        notes=("注：规模为各地区党员干部人数，每个地区填在其第一行，用于推算应查摆问题数。",),
        merge_columns=(0, 1),
        widths=(12, 10, 14, 18),
    )
    write_workbook(out_dir / REGIONS_FILE, [block], dt.date(2025, 10, 20))
    return REGIONS_FILE


def write_workbooks(out_dir: Path, seed: int = 2026) -> tuple[DemoYear, list[str]]:
    """Invent the year and write every workbook into `out_dir`; returns the report files in ingest order."""
    year, styles = invent(seed)
    rng = random.Random(seed + 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir)
    write_region_master(out_dir)
    names: list[str] = []
    for month in MONTHS:
        for unit in UNITS:
            if (unit.name, month) == MISSING:
                continue
            names.append(_write_unit_month(out_dir, unit, styles[unit.name], year.items[unit.name], month, rng))
        names.append(_write_checks(out_dir, month, year.checks[month]))
        if year.lqas is not None and month == year.lqas.month:
            names.append(_write_lqas(out_dir, year.lqas))
    names.append(_write_satisfaction(out_dir, year.satisfaction))
    return year, names


def _clear(out_dir: Path) -> None:
    """Remove demo workbooks of an earlier build (only files named as this module names them)."""
    patterns = ("*_整改台账.xlsx", "省督导办_*核查结果.xlsx", SATISFACTION_FILE, REGIONS_FILE)
    for pattern in patterns:
        for path in out_dir.glob(pattern):
            path.unlink()


# --- building the database -------------------------------------------------


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove_database(path: Path) -> None:
    for candidate in (path, _wal(path)):
        candidate.unlink(missing_ok=True)


def build(path: Path, out_dir: Path | None = None, seed: int = 2026, echo: Callable[[str], None] = print) -> str:
    """Create (replacing any file at `path`) a database holding the demo data set; returns a one-line summary.

    The database is built beside `path` and moved into place when complete,
    so nobody ever opens a half-built demo.
    """
    from rectlens.access.accounts import add_demo_accounts
    from rectlens.ingest.service import STORED, ingest_bytes, replace_region_master
    from rectlens.storage.database import connect, session, transaction

    path = Path(path)
    out_dir = Path(out_dir) if out_dir is not None else path.parent / "demo"
    building = path.with_name(path.name + ".building")
    started = time.perf_counter()
    year, names = write_workbooks(out_dir, seed)
    written = time.perf_counter()
    echo(f"已生成 {len(names) + 1} 个示例工作簿（{out_dir}），用时 {written - started:.1f} 秒")

    _remove_database(building)
    try:
        count, problems, _notices = replace_region_master(building, (out_dir / REGIONS_FILE).read_bytes(), REGIONS_FILE, BUILDER)
        if problems:
            raise RuntimeError("示例地区表未通过校验：\n" + "\n".join(p.text() for p in problems))
        echo(f"地区表已载入：{count} 个地区")
        # One connection for the whole batch: each ingest would otherwise open
        # the file and checkpoint it again.
        with session(building):
            for done, name in enumerate(names, start=1):
                if year.lqas is not None and name == lqas_file(year.lqas.month):
                    _register_lqas_round(building, year.lqas)
                outcome = ingest_bytes(building, (out_dir / name).read_bytes(), name, BUILDER)
                if outcome.status != STORED:
                    details = "\n".join(p.text() for p in outcome.problems) or outcome.message
                    raise RuntimeError(f"示例文件「{name}」未能导入：\n{details}")
                if done % 10 == 0 or done == len(names):
                    echo(f"已导入 {done}/{len(names)} 个文件（{time.perf_counter() - written:.1f} 秒）")
            with transaction(building) as con:
                sql.execute(con, "meta_set", {"key": "demo", "value": "true"})
                add_demo_accounts(con)
            with connect(building) as con:
                units, months, first, last, problems_total, files, checks = sql.rows(con, "demo_counts")[0]
    except BaseException:
        _remove_database(building)
        raise
    ingested = time.perf_counter()
    _remove_database(path)
    building.replace(path)
    if _wal(building).exists():
        _wal(building).replace(_wal(path))
    echo(f"导入用时 {ingested - written:.1f} 秒，共 {time.perf_counter() - started:.1f} 秒")
    return (
        f"示例数据已生成：{units} 个地区、{months} 个月（{first} 至 {last}）、{problems_total:,} 个问题、"
        f"{files} 个报送文件、{checks:,} 条核查记录 → {path}"
    )


def _register_lqas_round(path: Path, round_: LqasRound) -> None:
    """Draw the round with the planner, as an inspector would on 抽查计划, and register it; the draw must be
    the invented one (the results workbook answers exactly those items)."""
    from rectlens import config, planner

    plan = planner.make_plan(path, round_.month, planner.LQAS, n=round_.n, seed=round_.seed, design=config.PlannerSettings())
    drawn = set(zip(plan.items["region"], plan.items["item_id"], strict=True))
    if drawn != set(round_.drawn):
        raise RuntimeError(
            f"示例抽查轮次与抽查计划的抽样不一致：多 {sorted(drawn - set(round_.drawn))[:5]}，少 {sorted(set(round_.drawn) - drawn)[:5]}"
        )
    planner.register_round(path, BUILDER, plan)


def is_demo(db_path: Path | str) -> bool:
    """Whether the database at `db_path` holds the demo data set."""
    from rectlens.storage.database import connect, exists

    if not exists(db_path):
        return False
    with connect(db_path) as con:
        found = sql.rows(con, "meta_get", {"key": "demo"})
    return bool(found) and found[0][0] == "true"
