"""What the agency told the applicant, in plain Chinese: one wording for every notice, shown by
the portal (from intake's status) and sent by the notifier (from handling's events). Outcomes
and grounds in the law's words (ogi.taxonomy), never a code; dates as people write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ogi.taxonomy import GROUND_TERMS, OUTCOME_TERMS, NonDisclosureGround, Outcome
from ogi.v1 import common_pb2, notifier_pb2


@dataclass(frozen=True)
class NoticeFacts:
    """One notice: `kind` is handling's event name (CorrectionRequested, FeeNoticeIssued…) or
    intake's for what the applicant did (ApplicationSubmitted, CorrectionSupplied…)."""

    kind: str
    issued_on: date | None = None
    due: date | None = None
    items: tuple[str, ...] = ()
    amount: str = ""
    outcome: Outcome | None = None
    details: str = ""
    days: int = 0  # an extension's working days


def chinese_date(day: date | None) -> str:
    """2026年3月24日, as dates are written in official documents (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def outcome_words(outcome: Outcome) -> str:
    """予以公开（第三十六条第（二）项）: the outcome as the law words it, with its article."""
    term = OUTCOME_TERMS[outcome]
    return term.zh + (f"（依据《政府信息公开条例》{term.basis}）" if term.basis else "")


def ground_words(ground: NonDisclosureGround) -> str:
    """不予公开理由：保护第三方合法权益（第十五条）."""
    term = GROUND_TERMS[ground]
    return f"不予公开理由：{term.zh}" + (f"（{term.basis}）" if term.basis else "")


def _by(due: date | None, what: str) -> str:
    return f"请于{chinese_date(due)}前{what}。" if due else ""


def _correction(f: NoticeFacts) -> list[str]:
    items = "；".join(f.items)
    return [
        "行政机关认为您的申请内容不明确，请您补正（《政府信息公开条例》第三十条）。",
        f"需要补正的事项：{items}。" if items else "",
        _by(f.due, "补正"),
        "无正当理由逾期不补正的，视为您放弃申请，行政机关不再处理该申请。",
    ]


def _fee(f: NoticeFacts) -> list[str]:
    return [
        f"行政机关向您发出收费通知：信息处理费{f.amount}元（《政府信息公开条例》第四十二条）。",
        _by(f.due, "缴纳"),
        "逾期未缴纳的，视为您放弃申请，行政机关不再处理该申请。",
    ]


def _answered(f: NoticeFacts) -> list[str]:
    return [
        f"行政机关已对您的申请作出答复：{outcome_words(f.outcome)}。"
        if f.outcome
        else "行政机关已对您的申请作出答复。",
        f"说明：{f.details}" if f.details else "",
        "答复书送达后即可查看；如对答复不服，可以依法申请行政复议或者提起行政诉讼。",
    ]


def _concluded(f: NoticeFacts) -> list[str]:
    ended = f"（{OUTCOME_TERMS[f.outcome].zh}）" if f.outcome else ""
    return [f"您的申请已终止处理{ended}。"]


def _extension(f: NoticeFacts) -> list[str]:
    longer = f"延长{f.days}个工作日，" if f.days else ""
    return [
        "行政机关需要延长答复期限（《政府信息公开条例》第三十三条第二款），"
        f"{longer}答复期限延至{chinese_date(f.due)}。"
    ]


_WORDS: dict[str, tuple[str, Callable[[NoticeFacts], list[str]]]] = {
    "ApplicationSubmitted": ("已收到申请", lambda _: ["您的申请已提交。"]),
    "CorrectionRequested": ("补正告知", _correction),
    "CorrectionSupplied": ("已提交补正", lambda _: ["您已提交补正材料。"]),
    "CorrectionReceived": (
        "补正已收到",
        lambda f: [
            "行政机关已收到您的补正材料，答复期限自收到补正之日起重新计算，"
            f"应于{chinese_date(f.due)}前答复。"
        ],
    ),
    "CaseAccepted": (
        "申请已受理",
        lambda f: [
            "行政机关已受理您的申请"
            + (f"，应于{chinese_date(f.due)}前作出答复。" if f.due else "。")
        ],
    ),
    "ReasonsRequested": (
        "说明理由告知",
        lambda _: [
            "您申请的数量、频次明显超过合理范围，行政机关请您说明理由"
            "（《政府信息公开条例》第三十五条）。",
            "请在本平台“说明理由”处填写；理由不合理的，行政机关不予处理。",
        ],
    ),
    "ReasonsSupplied": ("已说明理由", lambda _: ["您已说明申请理由。"]),
    "ReasonsAssessed": (
        "理由合理",
        lambda f: [f"行政机关认为您的理由合理，将于{chinese_date(f.due)}前答复。"],
    ),
    "ConsultationStarted": (
        "征求意见告知",
        lambda _: [
            "您申请的信息涉及第三方合法权益或者需要征求其他机关意见，"
            "行政机关正在征求意见（《政府信息公开条例》第三十二条、第三十四条）。",
            "征求意见所需时间不计算在答复期限内。",
        ],
    ),
    "ReplyPeriodExtended": ("延期答复告知", _extension),
    "FeeNoticeIssued": ("收费通知", _fee),
    "FeePaid": ("已缴费", lambda f: [f"已收到您缴纳的信息处理费{f.amount}元。"]),
    "FeeWaived": ("信息处理费已减免", lambda _: ["信息处理费已减免，您无需缴费。"]),
    "ApplicationAnswered": ("答复", _answered),
    "ReplyServed": ("答复已送达", lambda _: ["答复书已送达。"]),
    "CaseConcluded": ("申请终止", _concluded),
    "ApplicationWithdrawn": ("已撤回申请", lambda _: ["您已撤回申请。"]),
    "DisclosureSuggested": (
        "主动公开建议",
        lambda _: ["您已建议行政机关将相关信息纳入主动公开范围（第四十四条第二款）。"],
    ),
    "DocumentIssued": (
        "文书已出具",
        lambda f: [f"行政机关已出具{f.details or '文书'}，您可以在本平台查询页面下载。"],
    ),
}


def headline(kind: str) -> str:
    """The notice's name: 补正告知, 收费通知, 答复…"""
    return _WORDS[kind][0] if kind in _WORDS else "办理进展"


def sentences(facts: NoticeFacts) -> list[str]:
    """What the notice says, sentence by sentence; empty for a kind this has no words for."""
    if facts.kind not in _WORDS:
        return []
    return [s for s in _WORDS[facts.kind][1](facts) if s]


def known(kind: str) -> bool:
    return kind in _WORDS


_SHORT: dict[str, Callable[[NoticeFacts], str]] = {
    "CorrectionRequested": lambda f: f"请于{chinese_date(f.due)}前补正申请",
    "ReasonsRequested": lambda _: "请说明申请理由",
    "ReplyPeriodExtended": lambda f: f"答复期限延至{chinese_date(f.due)}",
    "ConsultationStarted": lambda _: "正在征求意见，所需时间不计入答复期限",
    "FeeNoticeIssued": lambda f: f"信息处理费{f.amount}元，请于{chinese_date(f.due)}前缴纳",
    "ApplicationAnswered": lambda f: OUTCOME_TERMS[f.outcome].zh if f.outcome else "已作出答复",
    "DocumentIssued": lambda f: f"{f.details or '文书'}已可下载",
}


def short_line(facts: NoticeFacts) -> str:
    """The notice in one line, for an SMS: 补正告知：请于2026年3月24日前补正申请."""
    said = _SHORT[facts.kind](facts) if facts.kind in _SHORT else ""
    return f"{headline(facts.kind)}：{said}" if said else headline(facts.kind)


# How the applicant is told (NotificationChannel) and what became of a message (DeliveryState),
# as staff read them on the case and on the command line.
NOTIFICATION_CHANNEL_WORDS = {
    common_pb2.NOTIFICATION_CHANNEL_EMAIL: "电子邮件",
    common_pb2.NOTIFICATION_CHANNEL_SMS: "短信",
}
DELIVERY_STATE_WORDS = {
    notifier_pb2.DELIVERY_STATE_PENDING: "待发送",
    notifier_pb2.DELIVERY_STATE_ACCEPTED: "已发送",
    notifier_pb2.DELIVERY_STATE_REJECTED: "被拒收",
    notifier_pb2.DELIVERY_STATE_GAVE_UP: "已放弃",
}
