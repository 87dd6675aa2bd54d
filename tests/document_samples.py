"""A document of every kind, and a reply for every outcome R1-R14, with what each must show
(domain.md §9): the unit tests compose them, the integration tests render them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ogi.agencies import Agency
from ogi.documents.compose import zh_date
from ogi.documents.kinds import (
    ConsultationLetter,
    ConsultationNotice,
    ConsultedParty,
    CorrectionNotice,
    DelayedReplyNotice,
    DocumentContent,
    DocumentReference,
    ExtensionNotice,
    FeeNotice,
    Issue,
    Publication,
    ReasonsNotice,
    RegistrationReceipt,
    ReleasedItem,
    ReplyLetter,
    ResponsibleAgency,
    ReviewConclusion,
    ReviewForm,
)
from ogi.taxonomy import Channel, NonDisclosureGround, Outcome

AGENCY = Agency("HZMZJ", "菏泽市民政局", "HZ")
OTHER_AGENCY = Agency("HZBGS", "菏泽市人民政府办公室", "HZ")
RECEIVED = date(2026, 3, 2)
DATED = date(2026, 3, 20)
APPLICANT = "张三"
NUMBER = "HZMZJ-2026-000123"
REQUESTED = "2025年度城乡低保资金发放明细"
# What applicants and handlers may type: Typst, XML, Jinja and TOML syntax, all of it text.
HOSTILE = (
    "#set page(width: 1cm) [x] $y$ \\ *b* _i_ <lbl> @ref </p><title>伪造</title> &amp; "
    '{{ 7*7 }} {% raw %} "q"'
)

FIRST_ITEM = "请明确所需信息的年份范围"
SECOND_ITEM = "请提供身份证明复印件"
ITEM = ReleasedItem(
    title="2025年度城乡低保资金发放汇总表",
    doc_number="菏民发〔2025〕3号",
    form="电子文本",
    how="随本答复书附送",
    link="https://www.heze.gov.cn/art/2025/3/1/art_123_456789.html",
)
SECOND_RELEASED = ReleasedItem(title="低保审批流程说明", form="纸质复印件", how="邮寄送达")
REASONS = (
    "该表第3列载有低保对象的身份证号码和家庭住址，属于个人隐私，公开会对第三方合法权益造成损害。"
)
EARLIER = DocumentReference(number="菏民政公复〔2026〕3号", dated=date(2026, 2, 10))


@dataclass(frozen=True)
class Sample:
    content: DocumentContent
    shows: tuple[str, ...]  # beside the number, the date and (letters) the recipient


def _reply(outcome: Outcome, *shows: str, **fields: object) -> Sample:
    content = ReplyLetter(
        recipient=APPLICANT,
        application_number=NUMBER,
        receipt_date=RECEIVED,
        requested=REQUESTED,
        outcome=outcome,
        **fields,  # type: ignore[arg-type]
    )
    return Sample(content, (zh_date(RECEIVED), REQUESTED, NUMBER, *shows))


GENERAL_REMEDY = "自收到本答复书之日起六个月内向有管辖权的人民法院提起行政诉讼"
REFUSAL_REMEDY = (
    "第二十三条的规定，自收到本答复书之日起六十日内先向本机关的本级人民政府申请行政复议"
)

REPLIES: dict[Outcome, Sample] = {
    Outcome.R1: _reply(
        Outcome.R1,
        "已主动公开",
        "第三十六条第（一）项",
        "菏泽市民政局门户网站“政府信息公开”专栏",
        "https://www.heze.gov.cn/col/col123/index.html",
        zh_date(date(2025, 4, 1)),
        GENERAL_REMEDY,
        publication=Publication(
            place="菏泽市民政局门户网站“政府信息公开”专栏",
            link="https://www.heze.gov.cn/col/col123/index.html",
            published_on=date(2025, 4, 1),
        ),
    ),
    Outcome.R2: _reply(
        Outcome.R2,
        "予以公开",
        "第三十六条第（二）项",
        ITEM.title,
        ITEM.doc_number,
        ITEM.form,
        ITEM.how,
        ITEM.link,
        SECOND_RELEASED.title,
        SECOND_RELEASED.how,
        GENERAL_REMEDY,
        released=(ITEM, SECOND_RELEASED),
    ),
    Outcome.R3: _reply(
        Outcome.R3,
        "不予公开",
        "保护第三方合法权益",
        "第十五条和第三十六条第（三）项",
        REASONS,
        REFUSAL_REMEDY,
        ground=NonDisclosureGround.THIRD_PARTY,
        reasons=REASONS,
    ),
    Outcome.R4: _reply(
        Outcome.R4,
        "第三十六条第（四）项",
        "信息不存在",
        "已检索本机关2019年以来的发文登记和档案目录",
        GENERAL_REMEDY,
        search="已检索本机关2019年以来的发文登记和档案目录",
    ),
    Outcome.R5: _reply(
        Outcome.R5,
        "不属于本机关负责公开",
        "第三十六条第（五）项",
        "菏泽市医疗保障局",
        "0530-5310000",
        "医保基金支付数据由医疗保障部门制作和保存",
        GENERAL_REMEDY,
        reasons="医保基金支付数据由医疗保障部门制作和保存",
        responsible=ResponsibleAgency(name="菏泽市医疗保障局", contact="0530-5310000"),
    ),
    Outcome.R6: _reply(
        Outcome.R6,
        "重复申请",
        "第三十六条第（六）项",
        EARLIER.number,
        zh_date(EARLIER.dated),
        GENERAL_REMEDY,
        earlier=EARLIER,
    ),
    Outcome.R7: _reply(
        Outcome.R7,
        "第三十六条第（七）项",
        "持身份证明到菏泽市不动产登记中心查询",
        GENERAL_REMEDY,
        special_route="持身份证明到菏泽市不动产登记中心查询",
    ),
    Outcome.R8: _reply(
        Outcome.R8,
        "部分公开",
        "第三十七条",
        ITEM.title,
        ITEM.doc_number,
        "低保对象的身份证号码和家庭住址",
        "保护第三方合法权益",
        "第十五条和第三十六条第（三）项",
        REASONS,
        REFUSAL_REMEDY,
        released=(ITEM,),
        withheld="低保对象的身份证号码和家庭住址",
        ground=NonDisclosureGround.THIRD_PARTY,
        reasons=REASONS,
    ),
    Outcome.R9: _reply(
        Outcome.R9,
        "第三十八条",
        "加工、分析",
        GENERAL_REMEDY,
    ),
    Outcome.R10: _reply(
        Outcome.R10,
        "第三十九条第一款",
        "信访、投诉、举报",
        "菏泽市信访局网上信访平台",
        GENERAL_REMEDY,
        proper_channel="菏泽市信访局网上信访平台",
    ),
    Outcome.R11: _reply(
        Outcome.R11,
        "第三十九条第二款",
        "公开出版物",
        "菏泽市图书馆政府信息查阅点",
        GENERAL_REMEDY,
        where_to_obtain="菏泽市图书馆政府信息查阅点",
    ),
    Outcome.R12: _reply(
        Outcome.R12,
        "第三十五条",
        "不予处理",
        "您在30日内提出申请52件，未说明合理理由",
        EARLIER.number,
        GENERAL_REMEDY,
        reasons="您在30日内提出申请52件，未说明合理理由",
        earlier=EARLIER,
    ),
    Outcome.R13: _reply(
        Outcome.R13,
        "确认或者重新出具",
        "不予处理",
        GENERAL_REMEDY,
    ),
    Outcome.R14: _reply(
        Outcome.R14,
        "第三十条",
        "补正后的申请内容仍不明确",
        "补正后仍未说明所需信息的年份和区域",
        GENERAL_REMEDY,
        reasons="补正后仍未说明所需信息的年份和区域",
        earlier=EARLIER,
    ),
}

NOTICES: dict[str, Sample] = {
    "registration_receipt": Sample(
        RegistrationReceipt(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            channel=Channel.POST_SIGNED,
            requested=REQUESTED,
            reply_due=date(2026, 3, 30),
        ),
        (
            NUMBER,
            zh_date(RECEIVED),
            "第三十一条第（二）项",
            "以行政机关签收之日为收到申请之日",
            REQUESTED,
            zh_date(date(2026, 3, 30)),
            "查询码",
        ),
    ),
    "correction_notice": Sample(
        CorrectionNotice(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            items=(FIRST_ITEM, SECOND_ITEM),
            period_working_days=15,
            correction_due=date(2026, 4, 1),
        ),
        (
            zh_date(RECEIVED),
            "第三十条",
            "一次性告知",
            FIRST_ITEM,
            SECOND_ITEM,
            "15个工作日",
            zh_date(date(2026, 4, 1)),
            "视为放弃申请",
            "重新计算",
        ),
    ),
    "reasons_notice": Sample(
        ReasonsNotice(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            unreasonable="您在30日内向本机关提出申请52件",
            period_working_days=10,
            reasons_due=date(2026, 3, 27),
        ),
        (
            zh_date(RECEIVED),
            "第三十五条",
            "您在30日内向本机关提出申请52件",
            "10个工作日",
            zh_date(date(2026, 3, 27)),
            "不予处理",
        ),
    ),
    "delayed_reply_notice": Sample(
        DelayedReplyNotice(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            delayed_due=date(2026, 6, 30),
            why="所涉信息分散于52个卷宗",
            reasons_notice=EARLIER,
        ),
        (
            zh_date(RECEIVED),
            "第三十五条",
            "所涉信息分散于52个卷宗",
            zh_date(date(2026, 6, 30)),
            EARLIER.number,
        ),
    ),
    "extension_notice": Sample(
        ExtensionNotice(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            original_due=date(2026, 3, 30),
            extension_working_days=20,
            new_due=date(2026, 4, 28),
            approved_by="李四",
            approved_on=date(2026, 3, 18),
            reason="所涉信息需要调取档案",
        ),
        (
            zh_date(RECEIVED),
            "第三十三条第二款",
            "李四",
            zh_date(date(2026, 3, 18)),
            "延长20个工作日",
            zh_date(date(2026, 4, 28)),
            zh_date(date(2026, 3, 30)),
        ),
    ),
    "consultation_letter": Sample(
        ConsultationLetter(
            recipient="菏泽市某某商贸有限公司",
            application_number=NUMBER,
            receipt_date=RECEIVED,
            party=ConsultedParty.THIRD_PARTY,
            information="2025年度养老机构运营补贴发放名单",
            concern="该名单载有贵单位的经营数据",
        ),
        (
            "第三十二条",
            "2025年度养老机构运营补贴发放名单",
            "该名单载有贵单位的经营数据",
            "15个工作日",
            "逾期未提出意见的，由本机关依照《条例》的规定决定是否公开",
        ),
    ),
    "consultation_notice": Sample(
        ConsultationNotice(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            party=ConsultedParty.THIRD_PARTY,
            consulted_on=date(2026, 3, 10),
        ),
        (
            zh_date(RECEIVED),
            zh_date(date(2026, 3, 10)),
            "第三十三条第三款",
            "征求第三方和其他机关意见所需时间不计算在答复期限内",
            "15个工作日",
        ),
    ),
    "fee_notice": Sample(
        FeeNotice(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            method="per_page",
            quantity=2219,
            amount=Decimal(83460),
            payment="通过“山东通”缴费平台缴纳，缴款码：37170026000123",
        ),
        (
            zh_date(RECEIVED),
            "第四十二条",
            "国办函〔2020〕109号",
            "31—100页（含100页）的部分，10元/页",
            "2219页",
            "83460元",
            "缴款码：37170026000123",
            "20个工作日",
            "视为放弃申请",
        ),
    ),
    "review_form": Sample(
        ReviewForm(
            recipient=APPLICANT,
            application_number=NUMBER,
            receipt_date=RECEIVED,
            information="2025年度城乡低保资金发放明细表",
            reviewer="王五",
            reviewed_on=date(2026, 3, 16),
            conclusion=ReviewConclusion.PARTLY,
            withheld="低保对象的身份证号码和家庭住址",
            basis="第十五条：涉及个人隐私",
            opinion="建议部分公开",
        ),
        (
            "2025年度城乡低保资金发放明细表",
            "王五",
            zh_date(date(2026, 3, 16)),
            "部分公开",
            "低保对象的身份证号码和家庭住址",
            "第十五条：涉及个人隐私",
            "第十七条",
            "负责人审批意见",
        ),
    ),
}

SAMPLES: dict[str, Sample] = NOTICES | {f"reply_{o.value}": s for o, s in REPLIES.items()}


def must_show(name: str, issue: Issue) -> tuple[str, ...]:
    """Everything the document `name` must show: its own elements, number and date, and (every
    letter) whom it is addressed to."""
    sample = SAMPLES[name]
    letter = () if name == "review_form" else (f"{sample.content.recipient}：",)
    return (*sample.shows, issue.number, zh_date(issue.dated), *letter)
