"""The law's own words the documents quote: they do not vary by agency, so they are not in the
templates an agency may change."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ogi.taxonomy import Channel

REGULATION = "《中华人民共和国政府信息公开条例》"


@dataclass(frozen=True)
class ReceiptRule:
    """Which rule of Art 31 fixed a receipt date (收到申请之日), in the article's words."""

    article: str
    rule: str


RECEIPT_RULES: Mapping[Channel, ReceiptRule] = {
    Channel.IN_PERSON: ReceiptRule(
        "第三十一条第（一）项",
        "申请人当面提交政府信息公开申请的，以提交之日为收到申请之日",
    ),
    # Art 29: an oral application is written down by the office when it is made, in person.
    Channel.ORAL: ReceiptRule(
        "第三十一条第（一）项",
        "申请人当面提交政府信息公开申请的，以提交之日为收到申请之日",
    ),
    Channel.POST_SIGNED: ReceiptRule(
        "第三十一条第（二）项",
        "申请人以邮寄方式提交政府信息公开申请的，以行政机关签收之日为收到申请之日",
    ),
    Channel.POST_ORDINARY: ReceiptRule(
        "第三十一条第（二）项",
        "以平常信函等无需签收的邮寄方式提交政府信息公开申请的，政府信息公开工作机构应当于"
        "收到申请的当日与申请人确认，确认之日为收到申请之日",
    ),
    Channel.ONLINE: ReceiptRule(
        "第三十一条第（三）项",
        "申请人通过互联网渠道或者政府信息公开工作机构的传真提交政府信息公开申请的，"
        "以双方确认之日为收到申请之日",
    ),
    Channel.FAX: ReceiptRule(
        "第三十一条第（三）项",
        "申请人通过互联网渠道或者政府信息公开工作机构的传真提交政府信息公开申请的，"
        "以双方确认之日为收到申请之日",
    ),
    # Not in Art 31's words: the 2015 interpretation reads e-mail as an online channel whose
    # receipt is the day the agency's mail system receives it (domain.md §2).
    Channel.EMAIL: ReceiptRule(
        "第三十一条第（三）项（国办公开办函〔2015〕207号）",
        "申请人通过电子邮件提交政府信息公开申请的，以行政机关电子邮件系统收到申请之日"
        "为收到申请之日",
    ),
}

# 国办函〔2020〕109号 第六条: the two standards, one per method (services.handling.fees).
FEE_STANDARDS: Mapping[str, str] = {
    "per_application": (
        "按件计收：申请人在一个自然月内累计申请10件以下（含10件）的，不收费；"
        "累计申请11—30件（含30件）的部分，100元/件；累计申请30件以上的部分，以10件为一档，"
        "每增加一档，收费标准提高100元/件"
    ),
    "per_page": (
        "按量计收：同一申请人的一件政府信息公开申请中，30页以下（含30页）的，不收费；"
        "31—100页（含100页）的部分，10元/页；101—200页（含200页）的部分，20元/页；"
        "200页以上的部分，40元/页"
    ),
}
