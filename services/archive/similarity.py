"""Whether two applications ask for the same information (Art 44), and why. Requests for the same
document rarely use the same words, so three signals, strongest first (domain.md §7):

1. the document number (发文字号), written with 〔〕[]()（）【】 or 第…号, the issuer's prefix
   compared as a suffix because applicants wrap it in words (请公开甘办发〔2019〕18号);
2. a title in 《》, with 关于印发…的通知 wrappers taken off;
3. near-duplicate text: character bigrams of the request with its boilerplate removed.

Different numbers (years, document numbers) or different named places are different information,
however alike the rest of the words. No I/O here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# 〔〕 survive NFKC; full-width （）［］ become ()[].
_DOCUMENT_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{2,12}?)\s*[〔\[(【]\s*(\d{4})\s*[〕\])】]\s*(?:第\s*)?0*(\d{1,5})\s*号"
)
_TITLE = re.compile(r"《([^《》]{2,100})》")
_DIGITS = re.compile(r"\d+")
_PLACE = re.compile(r"([\u4e00-\u9fff]{2})(村|镇|乡|街道|社区|小区|花园|大道|路)")
_GENERIC_PLACES = frozenset(
    {"农村", "乡镇", "城乡", "道路", "公路", "相关", "所在", "该村", "本村"}
)
_CHINESE_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CHINESE_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
# 第十二次, 三季度, 第3批: small Chinese numbers that tell one document from the next.
_CHINESE_ORDINAL = re.compile(
    r"(?<=第)[一二三四五六七八九十]{1,3}|[一二三四五六七八九十]{1,3}(?=季度|批|期|次|号)"
)
# Abbreviations every agency uses, written out so both forms compare alike.
_ABBREVIATIONS = {
    "控规": "控制性详细规划",
    "棚改": "棚户区改造",
    "低保": "最低生活保障",
    "环评": "环境影响评价",
    "征地": "土地征收",
    "种粮补贴": "耕地地力保护补贴",
}
# Kinds of document that are never the same information as each other.
_KINDS = {
    "预算": ("预算",),
    "决算": ("决算",),
    "审计": ("审计",),
    "环评": ("环境影响",),
    "规划许可": ("规划许可",),
    "施工许可": ("施工许可",),
    "补偿安置": ("补偿安置", "补偿方案"),
    "征收决定": ("征收决定",),
    "处罚": ("处罚",),
    "纪要": ("纪要",),
    "抽检": ("抽检",),
}
_TITLE_WRAPPERS = (
    re.compile(r"^关于(印发|转发|发布|公布)?"),
    re.compile(r"的(通知|决定|批复|函|意见|公告|通告)$"),
)
# Words every request uses; they say nothing about which information is asked for.
_BOILERPLATE = re.compile(
    "|".join(
        (
            r"根据|依据|依照|按照|《?中华人民共和国政府信息公开条例》?|《?政府信息公开条例》?",
            r"条例|第[一二三四五六七八九十百零〇\d]+条|规定",
            r"本人|我们|我方|我|申请人|因|需要|需|特|现|向|贵[机关单位局委办府处部院厅]*",
            r"申请|请求|要求|希望|恳请|麻烦|请|予以|依法|公开|提供|获取|查阅|复制|告知",
            r"一份|全部|完整|相关|有关|具体|内容|信息|政府信息|文件|材料|资料|以下|如下|等|的|及|和|与|或",
            r"谢谢|此致|敬礼|纸质|电子版|邮寄|方式|形式",
        )
    )
)
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9a-z]")
# The legal basis an applicant cites is not what they ask for.
_CITATION = re.compile(
    r"(依据|根据|依照|按照)?《[^《》]*(条例|法)》(第[一二三四五六七八九十百]+条)?(的规定)?"
)


@dataclass(frozen=True)
class DocumentNumber:
    """发文字号: issuer prefix, year, serial (甘办发〔2019〕18号)."""

    prefix: str
    year: str
    serial: str

    def same_as(self, other: DocumentNumber) -> bool:
        """Same year and serial, and one issuer prefix ends the other (words the applicant
        wrote before it may remain)."""
        short, long = sorted((self.prefix, other.prefix), key=len)
        same = (self.year, self.serial) == (other.year, other.serial)
        return same and len(short) >= 2 and long.endswith(short)

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"


@dataclass(frozen=True)
class Features:
    document_numbers: tuple[DocumentNumber, ...]
    titles: frozenset[str]
    numbers: frozenset[str]  # digit runs outside document numbers: years, serials, plots
    places: frozenset[str]
    kinds: frozenset[str]
    bigrams: frozenset[str]


@dataclass(frozen=True)
class Match:
    signal: str  # document_number | title | text
    evidence: str  # what matched, in words a handler reads


@dataclass(frozen=True)
class MatchPolicy:
    """How alike two descriptions must be to count as the same information: the share of the
    shorter one's character bigrams (boilerplate removed) found in the longer one. Tuned on
    tests/data/art44_tuning.toml; measured on tests/data/art44_heldout.toml."""

    text_similarity: float = 0.4


def features(text: str) -> Features:
    text = _CHINESE_YEAR.sub(lambda m: "".join(_CHINESE_DIGITS[c] for c in m[0]), text)
    text = _CHINESE_ORDINAL.sub(lambda m: str(_chinese_number(m[0])), text)
    text = unicodedata.normalize("NFKC", text).lower()
    for short, full in _ABBREVIATIONS.items():
        text = text.replace(short, full)
    text = _CITATION.sub(" ", text)
    numbers = [
        DocumentNumber(_BOILERPLATE.sub("", m[1]), m[2], m[3])
        for m in _DOCUMENT_NUMBER.finditer(text)
    ]
    rest = _DOCUMENT_NUMBER.sub(" ", text)
    titles = frozenset(_title(t) for t in _TITLE.findall(rest))
    places = frozenset(
        m[0] for m in _PLACE.finditer(_BOILERPLATE.sub(" ", rest)) if m[1] not in _GENERIC_PLACES
    )
    core = _NOT_TEXT.sub("", _BOILERPLATE.sub("", _NOT_TEXT.sub(" ", rest)))
    bigrams = frozenset(core[i : i + 2] for i in range(len(core) - 1)) or frozenset({core})
    kinds = frozenset(k for k, words in _KINDS.items() if any(w in rest for w in words))
    return Features(
        tuple(numbers), titles, frozenset(_DIGITS.findall(rest)), places, kinds, bigrams
    )


def _chinese_number(numeral: str) -> int:
    """一 … 九十九."""
    if "十" not in numeral:
        return int(_CHINESE_DIGITS[numeral[-1]])
    tens, _, units = numeral.partition("十")
    return int(_CHINESE_DIGITS[tens] if tens else 1) * 10 + int(
        _CHINESE_DIGITS[units] if units else 0
    )


def _title(raw: str) -> str:
    title = _NOT_TEXT.sub("", raw)
    for wrapper in _TITLE_WRAPPERS:
        title = wrapper.sub("", title)
    return title


def match(a: Features, b: Features, policy: MatchPolicy = MatchPolicy()) -> Match | None:
    """The strongest reason `a` and `b` ask for the same information, or None."""
    if a.document_numbers and b.document_numbers:
        for x in a.document_numbers:
            for y in b.document_numbers:
                if x.same_as(y):
                    return Match("document_number", f"文号 {x}")
        return None
    if any(
        _conflict(x, y)
        for x, y in ((a.numbers, b.numbers), (a.places, b.places), (a.kinds, b.kinds))
    ):
        return None
    for t in a.titles:
        for u in b.titles:
            if t == u or (min(len(t), len(u)) >= 6 and (t in u or u in t)):
                return Match("title", f"标题《{min(t, u, key=len)}》")
    similarity = len(a.bigrams & b.bigrams) / max(1, min(len(a.bigrams), len(b.bigrams)))
    if similarity >= policy.text_similarity:
        return Match("text", f"文字相近 {similarity:.2f}")
    return None


def _conflict(x: frozenset[str], y: frozenset[str]) -> bool:
    """Each names something (a number, a place, a kind of document) the other does not:
    different information. One naming more than the other is only more precise."""
    return bool(x - y) and bool(y - x)
