"""A province's applications over several years, planned with the bursts real offices see
(Monday peaks, the January and December surges, quiet holidays, a few agencies flooded on one
topic) and the outcomes their annual reports show; then built as handling's cases and archive's
dossiers with the domain's own aggregates, so the events are the ones the services write.

The plan is drawn from a seeded generator: two processes (one per store) plan the same cases."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from ogi.agencies import AgencyDirectory
from ogi.taxonomy import ApplicantCategory, NonDisclosureGround, Outcome
from ogi.workdays import WorkingDayCalendar
from services.archive.application import release_of
from services.archive.domain import Dossier, DossierNumber, RetentionPolicy
from services.archive.filing import MESSAGES, open_dossier, put_on_file
from services.handling.disclosure import (
    ConfidentialityReview,
    ReleasedItem,
    ReleaseForm,
    ReviewConclusion,
)
from services.handling.domain import Case, Reply, ServiceMethod
from services.handling.integration import translator

PER_YEAR = 150_000  # applications a province receives in a year, at scale 1
FLOODS_PER_YEAR = 3  # agencies that get a flood on one topic in a year
FLOOD_SHARE = 0.015  # of the year's applications, each flood
BY = "办理人"
HEAD = "办公室主任"

# Shares of outcomes, from the orders of magnitude provincial annual reports give: about half
# disclosed in whole or part, a quarter "cannot provide", the rest refused, not handled, or ended.
REGULAR: dict[Outcome, float] = {
    Outcome.R1: 12,
    Outcome.R2: 25,
    Outcome.R8: 8,
    Outcome.R3: 4,
    Outcome.R4: 17,
    Outcome.R5: 6,
    Outcome.R6: 2,
    Outcome.R7: 1,
    Outcome.R9: 3,
    Outcome.R10: 4,
    Outcome.R11: 0.5,
    Outcome.R12: 0.5,
    Outcome.R13: 1,
    Outcome.R14: 1,
    Outcome.NO_CORRECTION: 4,
    Outcome.FEE_NOT_PAID: 0.2,
    Outcome.WITHDRAWN: 4,
}
# A flood (one project's expropriation, say): many repeats, petitions in disguise, Art 35.
FLOOD: dict[Outcome, float] = {
    Outcome.R2: 15,
    Outcome.R8: 5,
    Outcome.R3: 5,
    Outcome.R4: 15,
    Outcome.R6: 25,
    Outcome.R10: 15,
    Outcome.R12: 5,
    Outcome.R13: 5,
    Outcome.NO_CORRECTION: 5,
    Outcome.WITHDRAWN: 5,
}
CATEGORIES: dict[ApplicantCategory, float] = {
    ApplicantCategory.NATURAL_PERSON: 80,
    ApplicantCategory.COMMERCIAL_ENTERPRISE: 12,
    ApplicantCategory.RESEARCH_INSTITUTION: 0.5,
    ApplicantCategory.PUBLIC_INTEREST_ORGANIZATION: 0.5,
    ApplicantCategory.LEGAL_SERVICE_ORGANIZATION: 3,
    ApplicantCategory.OTHER_ORGANIZATION: 4,
}
TOPICS = (
    "城乡低保资金发放明细",
    "征地拆迁补偿安置方案",
    "国有土地上房屋征收决定",
    "建设工程规划许可证及附图",
    "建设项目环境影响评价报告",
    "政府采购合同及验收报告",
    "行政处罚决定书",
    "财政预算执行情况",
    "农村集体土地征收批复",
    "城市总体规划调整方案",
    "公共租赁住房分配名单",
    "医疗保险基金收支情况",
    "义务教育学校招生划片方案",
    "重大建设项目批准和实施情况",
    "信访事项处理意见书",
    "道路交通事故认定依据",
    "食品安全抽检结果",
    "扶贫项目资金使用情况",
    "企业投资项目备案信息",
    "安全生产事故调查报告",
)
FLOOD_TOPICS = (
    "某片区棚户区改造项目征收补偿标准",
    "某高速公路建设项目用地批复",
    "某工业园区土地征收公告及补偿明细",
)
GROUNDS = (
    NonDisclosureGround.PROCESS_INFORMATION,
    NonDisclosureGround.THIRD_PARTY,
    NonDisclosureGround.INTERNAL_AFFAIRS,
    NonDisclosureGround.ENFORCEMENT_FILE,
    NonDisclosureGround.STATE_SECRET,
)
WEEKDAY = (1.45, 1.15, 1.05, 1.0, 0.9, 0.2, 0.15)  # Monday peak; online over the weekend
NEEDS_ACCEPTANCE = {Outcome.R6, Outcome.R10, Outcome.R11, Outcome.R13, Outcome.R12}


@dataclass(frozen=True)
class Planned:
    """One application of the plan: who receives it when, and how it is to end."""

    case_id: UUID
    number: str
    agency: str
    received: date
    category: ApplicantCategory
    description: str
    applicant: str
    outcome: Outcome
    correction: bool  # 补正 asked for (then received, or lapsed for NO_CORRECTION)
    extended: bool  # 延期 (Art 33)
    consulted: bool  # 征求意见 (Art 32)
    flood: bool


def day_weights(year: int, calendar: WorkingDayCalendar) -> tuple[list[date], list[float]]:
    """Every day of `year` with its relative volume: weekday, holiday, January and December."""
    days = [
        date(year, 1, 1) + timedelta(days=n)
        for n in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
    ]
    weights = []
    for day in days:
        weight = WEEKDAY[day.weekday()]
        if day.weekday() < 5 and not calendar.is_workday(day):
            weight = 0.15  # a statutory holiday: only the online platform
        elif day.weekday() >= 5 and calendar.is_workday(day):
            weight = 1.0  # a make-up working day (调休上班)
        if day.month == 1 and day.day <= 20:
            weight *= 1.3  # the new year's work starts, last year's questions come in
        if day.month == 12:
            weight *= 1.35  # the year-end surge before the books close
        weights.append(weight)
    return days, weights


def agency_weights(directory: AgencyDirectory, seed: int) -> tuple[list[str], list[float]]:
    """A few agencies (governments, land, housing) receive most: a Zipf-like spread, with the
    province's and cities' governments weighted up as people write to the government."""
    codes = [a.code for a in directory]
    order = codes[:]
    random.Random(seed).shuffle(order)  # noqa: S311 - a plan, not a secret
    rank = {code: n for n, code in enumerate(order)}
    weights = []
    for agency in directory:
        weight = 1.0 / (rank[agency.code] + 1) ** 0.9
        if agency.parent_code in ("", "PROV") and not agency.code.startswith("PD"):
            weight *= 3
        weights.append(weight)
    return codes, weights


def plan_year(
    year: int, count: int, directory: AgencyDirectory, calendar: WorkingDayCalendar, seed: int = 21
) -> list[Planned]:
    """`count` applications received in `year`, in the order they arrive."""
    rng = random.Random(seed * 10_000 + year)  # noqa: S311 - a plan, not a secret
    days, day_w = day_weights(year, calendar)
    codes, agency_w = agency_weights(directory, seed)
    leaves = [a.code for a in directory if a.code[0] == "C" and "X" in a.code] or codes
    outcomes, outcome_w = list(REGULAR), list(REGULAR.values())
    flood_outcomes, flood_w = list(FLOOD), list(FLOOD.values())
    categories, category_w = list(CATEGORIES), list(CATEGORIES.values())
    rows: list[tuple[date, str, bool, str, Outcome]] = []
    flood_size = int(count * FLOOD_SHARE)
    for n in range(FLOODS_PER_YEAR if flood_size else 0):
        agency, topic = rng.choice(leaves), FLOOD_TOPICS[n % len(FLOOD_TOPICS)]
        start = rng.randrange(len(days) - 21)
        window = days[start : start + 21]
        for outcome in rng.choices(flood_outcomes, flood_w, k=flood_size):
            rows.append((rng.choice(window), agency, True, topic, outcome))
    regular = count - len(rows)
    for day, agency, outcome in zip(
        rng.choices(days, day_w, k=regular),
        rng.choices(codes, agency_w, k=regular),
        rng.choices(outcomes, outcome_w, k=regular),
        strict=True,
    ):
        rows.append((day, agency, False, rng.choice(TOPICS), outcome))
    rows.sort(key=lambda r: r[0])
    numbers: dict[str, int] = {}
    planned = []
    for day, agency, flood, topic, outcome in rows:
        numbers[agency] = numbers.get(agency, 0) + 1
        corrects = outcome in (Outcome.R14, Outcome.NO_CORRECTION) or rng.random() < 0.06
        handled = outcome not in NEEDS_ACCEPTANCE and outcome is not Outcome.WITHDRAWN
        planned.append(
            Planned(
                case_id=UUID(int=rng.getrandbits(128), version=4),
                number=f"{agency}-{year}-{numbers[agency]:06d}",
                agency=agency,
                received=day,
                category=rng.choices(categories, category_w)[0],
                description=f"{year - rng.choice((0, 0, 1, 2))}年{topic}",
                applicant=f"f{agency}{rng.randrange(20)}"
                if flood
                else f"{rng.getrandbits(48):012x}",
                outcome=outcome,
                correction=corrects and outcome not in NEEDS_ACCEPTANCE,
                extended=handled and rng.random() < 0.07,
                consulted=outcome in (Outcome.R2, Outcome.R3, Outcome.R8) and rng.random() < 0.08,
                flood=flood,
            )
        )
    return planned


def applications_per_year(scale: float) -> int:
    return max(1, round(PER_YEAR * scale))


def _released(p: Planned, outcome: Outcome) -> tuple[ReleasedItem, ...]:
    title = p.description
    if outcome is Outcome.R1:
        link = f"https://www.example.gov.cn/{p.agency.lower()}/{p.number}.html"
        return (ReleasedItem(title, ReleaseForm.PUBLISHED_LINK, link=link),)
    return (
        ReleasedItem(
            title, ReleaseForm.PAPER, f"{p.agency}发〔{p.received.year}〕{len(p.number)}号"
        ),
    )


def _reply(p: Planned, on: date, rng: random.Random) -> Reply:
    outcome = p.outcome
    return Reply(
        outcome,
        on,
        reasons=f"依据《中华人民共和国政府信息公开条例》答复（{outcome.value}）",
        ground=rng.choice(GROUNDS) if outcome in (Outcome.R3, Outcome.R8) else None,
        responsible_agency="某市自然资源和规划局" if outcome is Outcome.R5 else "",
        released=_released(p, outcome) if outcome in (Outcome.R1, Outcome.R2, Outcome.R8) else (),
        withheld="涉及第三方个人信息的部分" if outcome is Outcome.R8 else "",
    )


def build_case(p: Planned, calendar: WorkingDayCalendar, as_of: date) -> Case:
    """The case as handled up to `as_of`: every step dated after it is still to come."""
    rng = random.Random(p.case_id.int)  # noqa: S311 - a plan, not a secret
    case = Case(
        application_id=p.case_id,
        application_number=p.number,
        agency_code=p.agency,
        receipt_date=p.received,
        applicant_category=p.category,
        description=p.description,
        applicant_key=p.applicant,
    )
    steps: list[tuple[date, Callable[[], None]]] = []
    clock = p.received
    if p.correction:
        notice = clock + timedelta(days=rng.randint(1, 5))
        items = ["请明确所需政府信息的名称、文号或者其他特征描述"]
        steps.append((notice, lambda: case.request_correction(items, notice, 15, by=BY)))
        if p.outcome is Outcome.NO_CORRECTION:
            lapsed = notice + timedelta(days=45)
            steps.append((lapsed, lambda: case.lapse_correction(calendar, lapsed, by=BY)))
            return _run(case, steps, as_of)
        clock = notice + timedelta(days=rng.randint(3, 12))
        corrected = clock
        steps.append(
            (clock, lambda: case.receive_correction(corrected, p.description + "（补正）"))
        )
    steps += _handled(case, p, clock, calendar, rng)
    return _run(case, steps, as_of)


def _handled(
    case: Case, p: Planned, clock: date, calendar: WorkingDayCalendar, rng: random.Random
) -> list[tuple[date, Callable[[], None]]]:
    """The steps after review: answered at once, asked for reasons, withdrawn, or accepted and
    handled (consultation, extension, fee, confidentiality review), then served."""
    steps: list[tuple[date, Callable[[], None]]] = []
    outcome = p.outcome
    day = clock + timedelta(days=rng.randint(1, 3))
    if outcome is Outcome.R12:
        asked = day
        steps.append((asked, lambda: case.request_reasons(asked, by=BY)))
        day = asked + timedelta(days=10)
        steps.append((day, lambda: case.assess_reasons(False, None, by=BY)))
    elif outcome not in NEEDS_ACCEPTANCE:
        steps.append((day, lambda: case.accept(by=BY)))
        steps.append((day, lambda: case.assign(f"承办人{rng.randrange(5)}", by=BY)))
    if outcome is Outcome.WITHDRAWN:
        gone = day + timedelta(days=rng.randint(2, 15))
        steps.append((gone, lambda: case.withdraw(gone, "申请人撤回申请")))
        return steps
    if outcome is Outcome.FEE_NOT_PAID:
        notified = day + timedelta(days=5)
        steps.append(
            (notified, lambda: case.issue_fee_notice("200", "per_page", notified, True, by=BY))
        )
        lapsed = notified + timedelta(days=45)
        steps.append((lapsed, lambda: case.lapse_fee(calendar, lapsed, by=BY)))
        return steps
    reply_on = day + timedelta(days=rng.randint(2, 22))
    if p.consulted:
        sent, back = day + timedelta(days=3), day + timedelta(days=3 + rng.randint(5, 18))
        steps.append((sent, lambda: case.start_consultation("第三方企业", sent, by=BY)))
        steps.append((back, lambda: case.end_consultation(back, "不同意公开", by=BY)))
        reply_on = max(reply_on, back) + timedelta(days=rng.randint(2, 10))
    if p.extended:
        extended_on = max(day, reply_on - timedelta(days=4)) + timedelta(days=1)
        extended_on = min(extended_on, clock + timedelta(days=20))
        steps.append((extended_on, lambda: case.extend(calendar, 20, HEAD, extended_on, by=BY)))
        reply_on = extended_on + timedelta(days=rng.randint(5, 25))
    if outcome in (Outcome.R1, Outcome.R2, Outcome.R8):
        partly = outcome is Outcome.R8
        conclusion = ReviewConclusion.PARTLY_DISCLOSABLE if partly else ReviewConclusion.DISCLOSABLE
        withheld = "涉及第三方个人信息的部分" if partly else ""
        review = ConfidentialityReview("保密审查员", conclusion, "保密审查规定", reply_on, withheld)
        steps.append((reply_on, lambda: case.review_confidentiality(review, by=BY)))
    reply = _reply(p, reply_on, rng)
    steps.append((reply_on, lambda: case.answer(reply, by=BY)))
    served = reply_on + timedelta(days=rng.randint(0, 3))
    method = rng.choice((ServiceMethod.POST, ServiceMethod.ELECTRONIC, ServiceMethod.DIRECT))
    steps.append((served, lambda: case.serve(method, served, by=BY)))
    return steps


def _run(case: Case, steps: list[tuple[date, Callable[[], None]]], as_of: date) -> Case:
    for on, step in steps:
        if on > as_of:
            break
        step()
    return case


class _AsBuilt:
    """handling's repository as the translator reads it: the case just built, at the version
    each message is made at (the translator asks in order), so each carries its own due dates."""

    def __init__(self, events: list[Any]) -> None:
        self.events = events
        self.case: Any = None

    def get(self, _aggregate_id: UUID, version: int | None = None) -> Case:
        while self.case is None or self.case.version < (version or len(self.events)):
            self.case = self.events[self.case.version if self.case else 0].mutate(self.case)
        return cast(Case, self.case)


def dossier_of(
    events: list[Any], calendar: WorkingDayCalendar, policy: RetentionPolicy
) -> list[Aggregate]:
    """What archive files from the case's integration events: the dossier, its number index,
    and the release record of a reply that released information."""
    translate = translator(_AsBuilt(events), calendar)
    messages = []
    for n, event in enumerate(events, 1):
        sent = translate(event, n)
        if sent and (parse := MESSAGES.get(sent[0].rsplit(".", 1)[-1])):
            messages.append(parse.FromString(sent[1]))
    registered, *later = messages
    dossier: Dossier = open_dossier(registered)
    filed: list[Aggregate] = [dossier, DossierNumber(dossier.application_number, dossier.id)]
    for message in later:
        answered = type(message).__name__ == "ApplicationAnswered"
        register: dict[str, str] | None = {} if answered and message.released else None
        if put_on_file(dossier, message, policy, register) and register is not None:
            filed.append(release_of(dossier, message))
    return filed


def cases(plans: list[Planned], calendar: WorkingDayCalendar, as_of: date) -> Iterator[Case]:
    for p in plans:
        yield build_case(p, calendar, as_of)


def dossiers(
    plans: list[Planned], calendar: WorkingDayCalendar, as_of: date
) -> Iterator[list[Aggregate]]:
    policy = RetentionPolicy()
    for p in plans:
        case = build_case(p, calendar, as_of)
        yield dossier_of(list(case.collect_events()), calendar, policy)
