"""The shared vocabulary of the annual report and the Regulation, used by every service."""

from __future__ import annotations

from enum import StrEnum


class ApplicantCategory(StrEnum):
    """申请人情况: the columns of section 三 of the annual report."""

    NATURAL_PERSON = "natural_person"  # 自然人
    COMMERCIAL_ENTERPRISE = "commercial_enterprise"  # 商业企业
    RESEARCH_INSTITUTION = "research_institution"  # 科研机构
    PUBLIC_INTEREST_ORGANIZATION = "public_interest_organization"  # 社会公益组织
    LEGAL_SERVICE_ORGANIZATION = "legal_service_organization"  # 法律服务机构
    OTHER_ORGANIZATION = "other_organization"  # 其他

    @property
    def is_organization(self) -> bool:
        """法人或其他组织."""
        return self is not ApplicantCategory.NATURAL_PERSON


class Channel(StrEnum):
    """How an application reached the agency; it decides the receipt date (Art 31)."""

    ONLINE = "online"  # 互联网渠道
    IN_PERSON = "in_person"  # 当面提交
    POST_SIGNED = "post_signed"  # 邮寄签收
    POST_ORDINARY = "post_ordinary"  # 平常信函
    FAX = "fax"  # 传真
    EMAIL = "email"  # 电子邮件
    ORAL = "oral"  # 口头提出，代为填写
