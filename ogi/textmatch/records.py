"""What kind of record a request asks for, and which part or version of it: the vocabulary the
Art 44 matcher (ogi.textmatch.similarity) tells different information apart by. Kinds of
information (预算, 审计, 环评 …) and of document (文种: 批复, 方案, 名单 …), parts of a whole (东段,
一般公共预算, 小学), what came of a document (执行情况), drafts, and the qualifiers that tell one
place or institution from its namesake (锦帆路东侧, 县殡仪馆). No I/O."""

from __future__ import annotations

import re

# Kinds of information that are never the same as each other, found by these patterns.
_KINDS = {
    "预算": r"预算",
    "决算": r"决算",
    "审计": r"审计",
    "环境影响评价": r"环境影响评价",
    "用地规划许可": r"用地规划许可",
    "工程规划许可": r"工程规划许可",
    "施工许可": r"施工许可",
    "采伐许可": r"采伐许可",
    "出让合同": r"出让合同",
    "补偿方案": r"(补偿|安置|土地征收)(安置)?方案",
    "征收决定": r"征收决定",
    "处罚": r"处罚",
    "最低生活保障": r"最低生活保障",
    "纪要": r"纪要",
    "评估": r"评估",
    "抽检": r"抽检",
    "债务": r"(?<!专项)债务",
    "专项债": r"专项债(?!务)",
    "门票": r"门票",
    "观光车": r"观光车",
    "工伤认定": r"工伤认定|认定工伤",
    "劳动能力鉴定": r"劳动能力鉴定|伤残等级",
}
# 文种: a 批复 is not the 方案 it approved, nor the 决定 taken on it.
_DOCUMENT_KINDS = {
    "批复": r"批复",
    "方案": r"方案",
    "决定": r"决定",
    "纪要": r"纪要",
    "合同": r"合同|协议",
    "名单": r"名单|名册|明细|清单",
    "标准": r"标准",
    "笔录": r"笔录",
    "招标": r"招标(公告|文件)",
    "中标": r"中标|成交",
    "验收": r"验收",
    "报告": r"报告书|报告表|调查报告|评估报告",
    "公告": r"(?<!中标)(?<!成交)(?<!结果)公告|通告",
    "审查意见": r"审查意见",
    "办法": r"办法|细则|规范(?!化)",
    "许可证": r"许可证|许可决定",
    "统计": r"统计(?!局)",
    "审核意见": r"审核意见|审核结果",
}
APPROVALS = frozenset({"批复", "审查意见"})
# What an approval approves.
APPROVED = re.compile(r"报告|规划|方案|设计")
# A report's or plan's approval is the approval (X报告的批复 is a 批复, not a 报告).
_APPROVAL_OF = re.compile(r"(报告书?|报告表|方案|规划|设计|概算)[^，。；]{0,4}?(批复|审查意见)")
# Parts or stages of a whole that are never each other: a road's east section, a year's first
# half, a project's feasibility study and its preliminary design.
_SECTIONS = {
    "东段": r"东段",
    "西段": r"西段",
    "南段": r"南段",
    "北段": r"北段",
    "禁养": r"禁养",
    "限养": r"限养",
    "一般公共预算": r"一般公共预算",
    "政府性基金": r"政府性基金",
    "国有资本经营": r"国有资本经营",
    "社会保险基金": r"社会保险基金",
    "规划条件": r"规划条件",
    "总体规划": r"总体规划|总规",
    "详细规划": r"详细规划",
    "村庄规划": r"村庄规划",
    "可行性研究": r"可行性研究",
    "初步设计": r"初步设计",
    "小学": r"(?<!中)小学|中小学",
    "初中": r"初中|(?<![小高])中学|中小学",
    "高中": r"高中|高级中学",
    "核发": r"核发|新办",
    "注销": r"注销|吊销",
}
# What came of a document: never the document itself (崧环罚〔2023〕7号处罚决定的执行情况); the
# 执行情况 of a budget or of a code of practice is what is examined, not what came of a document.
_FOLLOW_UP = re.compile(
    r"(?<!预算)(?<!规范)(?:执行情况|执行报告|执行结果)|落实情况|完成情况|完成进度|整改情况|进展"
    r"|缴纳情况|复查|履行|强制执行"
)
# 锦帆路东侧: a plot or a building told from its neighbour by the side of a road it is on.
_SIDE = re.compile(r"([\u4e00-\u9fff]{2}(?:路|大道|街|河))以?([东西南北])(?:侧|面|边|岸)")
# 市殡仪馆, 苍岩县殡仪馆: a public institution told from its namesake by the level it belongs to.
_LEVEL = re.compile(
    r"([市县区])(?:级|本级)?(殡仪馆|人民医院|中医院|妇幼保健院|疾病预防控制中心|图书馆|博物馆"
    r"|福利院|救助站|敬老院|养老院|体育馆|公墓)"
)
# A draft (征求意见稿, 草案) is not the document as issued (正式稿，非征求意见稿 is).
_DRAFT = re.compile(r"(?<!非)(征求意见稿|征求意见的?稿子?|草稿|草案|送审稿|讨论稿|修订稿)")
# 房屋征收的决定 is a 征收决定: a kind is named the same with 的 inside it.
_OF = re.compile(r"(?<=[\u4e00-\u9fff])的(?=[\u4e00-\u9fff])")
_SECTION_PATTERNS = {k: re.compile(p) for k, p in _SECTIONS.items()}
DOCUMENT_KIND_PATTERNS = {kind: re.compile(pattern) for kind, pattern in _DOCUMENT_KINDS.items()}
_KIND_PATTERNS = {kind: re.compile(pattern) for kind, pattern in _KINDS.items()}
ANY_KIND = re.compile("|".join([*_KINDS.values(), *_DOCUMENT_KINDS.values()]))


def document_kinds(asked: str) -> frozenset[str]:
    """The kinds of document or record asked for (in the text without what the request says
    the record includes); a report's approval is the approval."""
    text = _APPROVAL_OF.sub(r"\2", _OF.sub("", asked))
    return frozenset(k for k, p in DOCUMENT_KIND_PATTERNS.items() if p.search(text))


def kinds(text: str) -> frozenset[str]:
    """The kinds of information `text` names; a 决算 or an audit speaks of the budget too."""
    text = _OF.sub("", text)
    found = {k for k, p in _KIND_PATTERNS.items() if p.search(text)}
    if found & {"决算", "审计"}:
        found.discard("预算")
    return frozenset(found)


def sections(text: str) -> frozenset[str]:
    """The parts or stages of a whole `text` names (东段, 一般公共预算, 小学)."""
    return frozenset(k for k, p in _SECTION_PATTERNS.items() if p.search(text))


def follow_ups(asked: str) -> frozenset[str]:
    """What came of a document that `asked` is about (执行情况, 履行)."""
    return frozenset(_FOLLOW_UP.findall(asked))


def is_draft(asked: str) -> bool:
    """Whether `asked` is about a draft (征求意见稿), not the document as issued."""
    return bool(_DRAFT.search(asked))


def qualified(text: str) -> frozenset[tuple[str, str]]:
    """(锦帆路, 东) for a side of a road, (殡仪馆, 县) for an institution's level."""
    levels = ((institution, level) for level, institution in _LEVEL.findall(text))
    return frozenset([*_SIDE.findall(text), *levels])
