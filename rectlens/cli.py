"""Command line: `python -m rectlens SUB-COMMAND [ARGS] [--db PATH]`."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from rectlens.access.roles import cli_operator  # the command line acts as the trusted local operator
from rectlens.ingest.values import BadValue, parse_month_option
from rectlens.storage import store

EXIT_OK, EXIT_ERROR, EXIT_INVALID = 0, 1, 2


_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), r"缺少必需的参数：\1"),
    (re.compile(r"argument (\S+): invalid choice: '?([^'\s]+)'? \(choose from (.+)\)"), r"参数 \1 的值「\2」无效，可选：\3"),
    (re.compile(r"unrecognized arguments: (.+)"), r"无法识别的参数：\1"),
    (re.compile(r"argument (\S+): expected one argument"), r"参数 \1 后面需要一个值"),
    (re.compile(r"argument (\S+): invalid int value: '?([^']+)'?"), r"参数 \1 应为整数，而不是「\2」"),
    (re.compile(r"argument (\S+): (.+)"), r"参数 \1：\2"),
)
# Sub-commands that only read: they must not create a database where there is none.
READ_ONLY_COMMANDS = {"metrics", "flags", "brief", "audit", "plan"}


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its error messages in Chinese (exit code 2, no usage dump)."""

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            if pattern.search(message):
                message = pattern.sub(replacement, message, count=1)
                break
        self.exit(EXIT_INVALID, f"错误：{message}\n（用 {self.prog} -h 查看用法）\n")


class UsageError(Exception):
    """A problem with the user's request: printed in Chinese, exit code 2."""


def _month(text: str) -> object:
    try:
        return parse_month_option(text)
    except BadValue as exc:
        raise argparse.ArgumentTypeError(f"月份「{text}」格式不对，应为{exc}") from None


def _progress(total: int, description: str):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit="步", file=sys.stderr, disable=None)


def cmd_demo(args: argparse.Namespace) -> int:
    from rectlens import demo

    path = Path(args.db)
    summary = demo.build(path, out_dir=Path(args.out) if args.out else None, seed=args.seed, echo=lambda m: print(m, file=sys.stderr))
    print(summary)
    return EXIT_OK


def cmd_regions(args: argparse.Namespace) -> int:
    from rectlens.ingest.service import replace_region_master

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    count, problems, notices = replace_region_master(args.db, data, path.name, cli_operator())
    for notice in notices:
        print("提示：" + notice, file=sys.stderr)
    if problems:
        print(f"地区表「{path.name}」有 {len(problems)} 处错误，未作更改：", file=sys.stderr)
        for problem in problems:
            print("  " + problem.text(), file=sys.stderr)
        return EXIT_INVALID
    print(f"地区表已载入：{count} 个地区")
    return EXIT_OK


def cmd_ingest(args: argparse.Namespace) -> int:
    from rectlens.ingest.service import INVALID, REFUSED, ingest_path
    from rectlens.ingest.workbook import STAGES

    refused = 0
    actor = cli_operator()
    # one step per stage of each file (读取, 校验, 对比上月 is the page's, 保存); tqdm draws only on a terminal
    with _progress(len(args.files) * len(STAGES), "导入") as bar:
        for number, file_name in enumerate(args.files):

            def stage(step: str, what: str, number: int = number, name: str = Path(file_name).name) -> None:
                bar.n = max(bar.n, number * len(STAGES) + STAGES.index(step))
                bar.set_postfix_str(f"{name} {step}{' ' + what if what and what != name else ''}", refresh=True)

            outcome = ingest_path(args.db, file_name, actor, month=args.month, progress=stage)
            bar.n = (number + 1) * len(STAGES)
            bar.refresh()
            if outcome.status in (INVALID, REFUSED):
                refused += 1
                print(outcome.message, file=sys.stderr)
                for problem in outcome.problems:
                    print("  " + problem.text(), file=sys.stderr)
            else:
                print(outcome.message)
            for notice in outcome.notices:
                print("  提示：" + notice, file=sys.stderr)
    return EXIT_INVALID if refused else EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from rectlens.storage.database import exists
    from rectlens.storage.uploads import KIND_LABELS, STATE_LABELS, history

    table = history(args.db) if exists(args.db) else None
    if table is None or table.empty:
        print("还没有任何上传记录")
        return EXIT_OK
    shown = table.assign(
        kind=table["kind"].map(KIND_LABELS),
        state=table["state"].map(STATE_LABELS),
    )[["upload_id", "kind", "region", "month", "row_count", "state", "created_at", "file_name", "uploader"]]
    shown.columns = ["上传编号", "类别", "地区", "月份", "行数", "状态", "时间", "文件", "上传人"]
    print(shown.fillna("").to_string(index=False))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from rectlens.storage.uploads import CannotRestore, UploadNotFound, restore

    try:
        replaced = restore(args.db, args.upload_id, cli_operator())
    except (UploadNotFound, CannotRestore) as exc:
        raise UsageError(str(exc)) from None
    print(f"上传 #{args.upload_id} 已恢复为生效版本" + (f"（替换了上传 #{replaced}）" if replaced else ""))
    return EXIT_OK


def cmd_withdraw(args: argparse.Namespace) -> int:
    from rectlens.storage.uploads import CannotRestore, UploadNotFound, withdraw

    try:
        withdraw(args.db, args.upload_id, cli_operator())
    except (UploadNotFound, CannotRestore) as exc:
        raise UsageError(str(exc)) from None
    print(f"上传 #{args.upload_id} 已撤回；可用 restore {args.upload_id} 恢复")
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    from rectlens.storage.moving import CannotMigrate, migrate

    try:
        report = migrate(args.db, args.to)
    except CannotMigrate as exc:
        raise UsageError(str(exc)) from None
    print(report.message)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="python -m rectlens", description="整改透视 · Rectification Lens 命令行")
    commands = parser.add_subparsers(dest="command", required=True, metavar="SUB-COMMAND", parser_class=ChineseArgumentParser)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", default=str(store.default_store()), help="DuckDB 数据库文件（默认 data/rectlens.duckdb）")
        sub.add_argument(
            "--store",
            help="存储：DuckDB 数据库文件，或共享存储 ducklake:postgres:<连接串>（另需 RECTLENS_DATA_PATH）；默认 RECTLENS_STORE",
        )
        sub.set_defaults(handler=handler)
        return sub

    demo = add("demo", cmd_demo, "生成示例数据库（虚构地区）和示例报送文件")
    demo.add_argument("--out", help="示例工作簿输出目录（默认 data/demo）")
    demo.add_argument("--seed", type=int, default=2026, help="随机种子")

    regions = add("regions", cmd_regions, "载入或替换地区表")
    regions.add_argument("file")

    ingest = add("ingest", cmd_ingest, "校验并导入报送工作簿")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    ingest.add_argument("--month", type=_month, help="报送月份 YYYY-MM（文件中没有写明月份时使用）")

    add("history", cmd_history, "列出上传历史")

    restore = add("restore", cmd_restore, "把较早的一次上传恢复为生效版本")
    restore.add_argument("upload_id", type=int, metavar="UPLOAD_ID")

    withdraw = add("withdraw", cmd_withdraw, "撤回一次上传")
    withdraw.add_argument("upload_id", type=int, metavar="UPLOAD_ID")

    migrate = add("migrate", cmd_migrate, "把 DuckDB 数据库文件（--db）复制到一个空的共享存储，并核对行数和留痕")
    migrate.add_argument("--to", required=True, metavar="ducklake:postgres:连接串", help="目标共享存储（须为空）")

    from rectlens import cli_accounts, cli_reports

    cli_reports.register(add)
    cli_accounts.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from rectlens.access.accounts import AccountError
    from rectlens.access.permissions import PermissionDenied
    from rectlens.storage.database import DatabaseBusy, DatabaseUnavailable, exists
    from rectlens.storage.store import StoreConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.store:
            args.db = args.store
        if args.command in READ_ONLY_COMMANDS and not exists(args.db):
            print(f"错误：数据库文件 {args.db} 不存在；请用 --db 指定数据库，或先运行 demo / ingest 导入数据", file=sys.stderr)
            return EXIT_INVALID
        return int(args.handler(args))
    except (UsageError, PermissionDenied, AccountError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_INVALID
    except (DatabaseBusy, DatabaseUnavailable, StoreConfigError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `head`) closed the pipe early: not an error of ours
        sys.stderr.close()
        return EXIT_OK
