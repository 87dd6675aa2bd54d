"""The annual report's tables (政府信息公开工作年度报告): their lines, columns and official labels
(domain.md §5), and the key of every cell. Archive fills the cells; the report generator lays
them out. One place for the labels, so no output can misspell one."""

from __future__ import annotations

from dataclasses import dataclass

from ogi.taxonomy import ApplicantCategory, RemedyKind, RemedyResult, ReportRow

THREE = "三"
FOUR = "四"
SIX = "六"

SECTION_TITLES = {
    THREE: "三、收到和处理政府信息公开申请情况",
    FOUR: "四、政府信息公开行政复议、行政诉讼情况",
    SIX: "六、信息处理费收取情况",
}
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
SIX_LABELS = {
    FEES_CHARGED: "收取信息处理费的申请数（件）",
    FEES_AMOUNT: "收取信息处理费金额（元）",
    FEES_NOT_PAID: "逾期未缴纳费用、不再处理的申请数（件）",
}

Cell = tuple[str, str, str]  # (section, line, column)
