"""The annual report (政府信息公开工作年度报告, Art 50): its six sections in the official order,
their tables' lines, columns and official labels (domain.md §5, 国办公开办函〔2021〕30号), and the
key of every cell. Archive fills the cells; the report generator lays them out. One place for
the labels, so no output can misspell one."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from ogi.taxonomy import ApplicantCategory, RemedyKind, RemedyResult, ReportRow

ONE = "一"
TWO = "二"
THREE = "三"
FOUR = "四"
FIVE = "五"
SIX = "六"
SECTIONS = (ONE, TWO, THREE, FOUR, FIVE, SIX)  # the official order
Cell = tuple[str, str, str]  # (section, line, column)

SECTION_TITLES = {
    ONE: "一、总体情况",
    TWO: "二、主动公开政府信息情况",
    THREE: "三、收到和处理政府信息公开申请情况",
    FOUR: "四、政府信息公开行政复议、行政诉讼情况",
    FIVE: "五、政府信息公开工作存在的主要问题及改进情况",
    SIX: "六、其他需要报告的事项",
}
# The sections the agency writes itself (六: anything to report besides the fees).
TEXT_SECTIONS = (ONE, FIVE, SIX)

# --- section 二 (figures the agency enters; not derived from applications) --------------------

CONTENT_LABEL = "信息内容"
ISSUED = "issued"  # 本年制发件数
REPEALED = "repealed"  # 本年废止件数
IN_FORCE = "in_force"  # 现行有效件数
DECISIONS = "decisions"  # 本年处理决定数量
AMOUNT_YUAN = "amount_yuan"  # 本年收费金额, kept in 元 (万元 to 4 decimals), shown in 万元
TWO_COLUMN_LABELS = {
    ISSUED: "本年制发件数",
    REPEALED: "本年废止件数",
    IN_FORCE: "现行有效件数",
    DECISIONS: "本年处理决定数量",
    AMOUNT_YUAN: "本年收费金额（单位：万元）",
}
RULES = "rules"
NORMATIVE_DOCUMENTS = "normative_documents"
LICENSING = "licensing"
PENALTY = "penalty"
COERCION = "coercion"
CHARGES = "charges"  # 行政事业性收费


@dataclass(frozen=True)
class ProactiveGroup:
    """One item of Art 20 in section 二's table: its lines and the columns they have."""

    article: str
    columns: tuple[str, ...]
    lines: tuple[tuple[str, str], ...]  # (line key, 信息内容)


PROACTIVE_GROUPS = (
    ProactiveGroup(
        "第二十条第（一）项",
        (ISSUED, REPEALED, IN_FORCE),
        ((RULES, "规章"), (NORMATIVE_DOCUMENTS, "行政规范性文件")),
    ),
    ProactiveGroup("第二十条第（五）项", (DECISIONS,), ((LICENSING, "行政许可"),)),
    ProactiveGroup(
        "第二十条第（六）项", (DECISIONS,), ((PENALTY, "行政处罚"), (COERCION, "行政强制"))
    ),
    ProactiveGroup("第二十条第（八）项", (AMOUNT_YUAN,), ((CHARGES, "行政事业性收费"),)),
)
TWO_CELLS = tuple(
    (TWO, line, column) for g in PROACTIVE_GROUPS for line, _ in g.lines for column in g.columns
)
TWO_LINE_LABELS = {line: label for g in PROACTIVE_GROUPS for line, label in g.lines}


def figure_field(cell: Cell) -> str:
    """A figure of section 二 by the name requests give it (ProactiveDisclosureFigures):
    "penalty_decisions", "charges_amount" (in 万元)."""
    _, line, column = cell
    return f"{line}_amount" if column == AMOUNT_YUAN else f"{line}_{column}"


FIGURE_FIELDS = {figure_field(cell): cell for cell in TWO_CELLS}
E = TypeVar("E", bound=StrEnum)

THREE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# --- section 三 ---------------------------------------------------------------------------------

TOTAL = "total"
CATEGORY_LABELS = {
    ApplicantCategory.NATURAL_PERSON: "自然人",
    ApplicantCategory.COMMERCIAL_ENTERPRISE: "商业企业",
    ApplicantCategory.RESEARCH_INSTITUTION: "科研机构",
    ApplicantCategory.PUBLIC_INTEREST_ORGANIZATION: "社会公益组织",
    ApplicantCategory.LEGAL_SERVICE_ORGANIZATION: "法律服务机构",
    ApplicantCategory.OTHER_ORGANIZATION: "其他",
}
THREE_COLUMNS = (*(c.value for c in ApplicantCategory), TOTAL)
APPLICANTS_LABEL = "申请人情况"
ORGANIZATIONS_LABEL = "法人或其他组织"
TOTAL_LABEL = "总计"

RECEIVED = "一"
CARRIED_IN = "二"
RESULTS_TOTAL = "三（七）"
CARRIED_OUT = "四"


def result_line(row: ReportRow) -> str:
    """The line of a leaf row of 三、本年度办理结果, e.g. "三.三4" for （三）4 保护第三方合法权益
    (ReportRow values alone would collide with lines 一 and 二)."""
    return f"三.{row.value}"


@dataclass(frozen=True)
class ResultGroup:
    """（一）…（七） of 三、本年度办理结果; a group with items has one line per item."""

    label: str
    lines: tuple[tuple[str, str], ...]  # (line key, item label); one line with "" if no items


def _items(*rows: tuple[ReportRow, str]) -> tuple[tuple[str, str], ...]:
    return tuple((result_line(row), label) for row, label in rows)


R = ReportRow
RESULT_GROUPS = (
    ResultGroup("（一）予以公开", _items((R.DISCLOSED, ""))),
    ResultGroup(
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        _items((R.PARTLY_DISCLOSED, "")),
    ),
    ResultGroup(
        "（三）不予公开",
        _items(
            (R.WITHHELD_STATE_SECRET, "1.属于国家秘密"),
            (R.WITHHELD_PROHIBITED_BY_LAW, "2.其他法律行政法规禁止公开"),
            (R.WITHHELD_THREE_SECURITIES, "3.危及“三安全一稳定”"),
            (R.WITHHELD_THIRD_PARTY, "4.保护第三方合法权益"),
            (R.WITHHELD_INTERNAL_AFFAIRS, "5.属于三类内部事务信息"),
            (R.WITHHELD_PROCESS_INFORMATION, "6.属于四类过程性信息"),
            (R.WITHHELD_ENFORCEMENT_FILE, "7.属于行政执法案卷"),
            (R.WITHHELD_ADMINISTRATIVE_QUERY, "8.属于行政查询事项"),
        ),
    ),
    ResultGroup(
        "（四）无法提供",
        _items(
            (R.UNAVAILABLE_NOT_HELD, "1.本机关不掌握相关政府信息"),
            (R.UNAVAILABLE_NEEDS_CREATION, "2.没有现成信息需要另行制作"),
            (R.UNAVAILABLE_STILL_UNCLEAR, "3.补正后申请内容仍不明确"),
        ),
    ),
    ResultGroup(
        "（五）不予处理",
        _items(
            (R.NOT_PROCESSED_PETITION, "1.信访举报投诉类申请"),
            (R.NOT_PROCESSED_REPEATED, "2.重复申请"),
            (R.NOT_PROCESSED_PUBLICATION, "3.要求提供公开出版物"),
            (R.NOT_PROCESSED_UNREASONABLE_VOLUME, "4.无正当理由大量反复申请"),
            (R.NOT_PROCESSED_CONFIRMATION, "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
    ResultGroup(
        "（六）其他处理",
        _items(
            (
                R.OTHER_NO_CORRECTION,
                "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            ),
            (
                R.OTHER_FEE_NOT_PAID,
                "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            ),
            (R.OTHER, "3.其他"),
        ),
    ),
    ResultGroup("（七）总计", ((RESULTS_TOTAL, ""),)),
)
RESULTS_LABEL = "三、本年度办理结果"
LINE_LABELS = {
    RECEIVED: "一、本年新收政府信息公开申请数量",
    CARRIED_IN: "二、上年结转政府信息公开申请数量",
    CARRIED_OUT: "四、结转下年度继续办理",
}
THREE_LINES = (
    RECEIVED,
    CARRIED_IN,
    *(line for group in RESULT_GROUPS for line, _ in group.lines),
    CARRIED_OUT,
)

# --- section 四 ---------------------------------------------------------------------------------

REMEDY_LABELS = {
    RemedyKind.RECONSIDERATION: "行政复议",
    RemedyKind.LITIGATION_DIRECT: "未经复议直接起诉",
    RemedyKind.LITIGATION_AFTER_RECONSIDERATION: "复议后起诉",
}
LITIGATION_LABEL = "行政诉讼"
RESULT_LABELS = {
    RemedyResult.UPHELD: "结果维持",
    RemedyResult.CORRECTED: "结果纠正",
    RemedyResult.OTHER: "其他结果",
    RemedyResult.PENDING: "尚未审结",
}
FOUR_COLUMNS = tuple(
    (kind.value, column) for kind in RemedyKind for column in (*RemedyResult, TOTAL)
)

# --- section 六 ---------------------------------------------------------------------------------

FEES_CHARGED = "charged"  # applications charged in the year
FEES_AMOUNT = "amount_fen"  # total charged, in 分 (integer; shown in 元)
FEES_NOT_PAID = "not_paid"  # dropped for non-payment: must equal （六）2
SIX_FEES_TITLE = "信息处理费收取情况"
SIX_LABELS = {
    FEES_CHARGED: "收取信息处理费的申请数（件）",
    FEES_AMOUNT: "收取信息处理费金额（元）",
    FEES_NOT_PAID: "逾期未缴纳费用、不再处理的申请数（件）",
}

# --- a cell in words and in its unit ---------------------------------------------------------


def cell_number(cell: Cell, n: int) -> int | Decimal:
    """A cell's value in the unit the report shows: 元 for 六's amount (kept in 分), 万元 for
    二's fees (kept in 元); counts as they are."""
    if cell[2] == FEES_AMOUNT:
        return Decimal(n) / 100
    if cell[2] == AMOUNT_YUAN:
        return Decimal(n) / 10_000
    return n


def cell_text(cell: Cell, n: int) -> str:
    """As printed: 元 with 2 decimals, 万元 with 2 to 4 (as many as were entered)."""
    value = cell_number(cell, n)
    if isinstance(value, int):
        return str(value)
    if cell[2] == AMOUNT_YUAN:
        text = f"{value:.4f}".rstrip("0")
        whole, _, decimals = text.partition(".")
        return f"{whole}.{decimals.ljust(2, '0')}"
    return f"{value:.2f}"


def cell_label(cell: Cell) -> str:
    """A cell in the report's own words, e.g. "三、（一）予以公开 · 自然人" or
    "行政处罚 · 本年处理决定数量" (for corrections: a reader never sees a key)."""
    section, line, column = cell
    if section == TWO:
        return f"{TWO_LINE_LABELS.get(line, line)} · {TWO_COLUMN_LABELS.get(column, column)}"
    if section == THREE:
        return f"{_three_line_label(line)} · {_three_column_label(column)}"
    if section == FOUR:
        return f"{_remedy_kind_label(line)} · {_remedy_result_label(column)}"
    if section == SIX:
        return SIX_LABELS.get(column, column)
    return f"{section} {line} {column}"


def _three_line_label(line: str) -> str:
    if line in LINE_LABELS:
        return LINE_LABELS[line]
    for group in RESULT_GROUPS:
        for key, item in group.lines:
            if key == line:
                return f"三、{group.label}" + (f" {item}" if item else "")
    return line


def _three_column_label(column: str) -> str:
    if column == TOTAL:
        return TOTAL_LABEL
    category = _member(ApplicantCategory, column)
    return CATEGORY_LABELS[category] if category else column


def _remedy_kind_label(line: str) -> str:
    kind = _member(RemedyKind, line)
    if kind is None:
        return line
    label = REMEDY_LABELS[kind]
    return label if kind is RemedyKind.RECONSIDERATION else f"{LITIGATION_LABEL} {label}"


def _remedy_result_label(column: str) -> str:
    if column == TOTAL:
        return TOTAL_LABEL
    result = _member(RemedyResult, column)
    return RESULT_LABELS[result] if result else column


def _member(kind: type[E], value: str) -> E | None:
    try:
        return kind(value)
    except ValueError:
        return None
