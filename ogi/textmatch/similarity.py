"""Whether two applications ask for the same information (Art 44), and why. Requests for the same
document rarely use the same words, so three signals, strongest first (domain.md §7):

1. the document number (发文字号), written with 〔〕[]()（）【】, 第…号 or 2019年第18号, the
   issuer's prefix compared as a suffix because applicants wrap it in words
   (请公开甘办发〔2019〕18号), and read with its title when the agency's register has it;
2. a title in 《》, with 关于印发…的通知 wrappers taken off;
3. the words of the shorter request found in the longer one (ogi.textmatch.wording).

Different numbers (years, serials, plots), different named places, schools or people (张某某),
different kinds of information or record (预算 and 决算, a 批复 and a 方案, a 名单 and a 标准, a
招标公告 and a 中标结果), different parts of one whole (东段 and 西段, 6月 and 上半年, the
一般公共预算 and the 政府性基金预算), a report and its approval, a draft and the issued document, a
document and what came of it are different information, however alike the rest of the words.
No I/O here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ogi.textmatch.names import Name, names
from ogi.textmatch.records import (
    ANY_KIND,
    APPROVALS,
    APPROVED,
    DOCUMENT_KIND_PATTERNS,
    document_kinds,
    follow_ups,
    is_draft,
    kinds,
    qualified,
    sections,
)
from ogi.textmatch.wording import normalized, plain, segments, spaced, weight, words

_DOCUMENT_NUMBERS = (
    # 甘办发〔2019〕18号, 安林采字〔2023〕第015号
    re.compile(
        r"([\u4e00-\u9fff]{2,12}?)\s*[〔\[(【]\s*(\d{4})\s*[〕\])】]\s*(?:第\s*)?0*(\d{1,5})\s*号"
    ),
    # 甘办发2019年第18号
    re.compile(
        r"([\u4e00-\u9fff]{2,8}?[发函字令罚审批决补告复规])\s*(\d{4})\s*年?\s*第\s*0*(\d{1,5})\s*号"
    ),
    # 地字第安规2021-009号 (permits)
    re.compile(r"([\u4e00-\u9fff]{1,3}字第?[\u4e00-\u9fff]{0,4}?)(\d{4})\s*-\s*0*(\d{1,5})\s*号"),
)
# 按琮政发〔2022〕7号的标准: the word before a number that cites it, found before the issuer's
# prefix or taken into it.
_CITING = "按照?|依据|根据|依照|参照"
_CITED_AFTER = re.compile(f"({_CITING})$")
_CITED_IN = re.compile(_CITING)
_TITLE = re.compile(r"《([^《》]{2,100})》")
_TITLE_WRAPPERS = (
    re.compile(r"^关于(印发|转发|发布|公布)?"),
    re.compile(r"的(通知|公告|通告)$"),
)
# Numbers that tell one piece of information from another (years, serials, batches, plots),
# not amounts (年产5万吨, 2元) or an applicant's house number (新桥巷12号).
_DIGITS = re.compile(
    r"(?<![\d巷路街弄])\d+(?![\d.]*(?:万|千|百)?(?:吨|元|亩|户|人|平方米|平米|米|公里|千米|个|天|小时|分钟|岁|间|层|辆|台|头|立方米|%))"
)
_INCLUDED = re.compile(r"(含|包括|包含|附)[\u4e00-\u9fff]{0,20}")
_YEAR = re.compile(r"(19|20)\d\d")
# 2023年年初印发的(通报2022年的): the year a document came out, not the year it is about.
_ISSUED = re.compile(r"((?:19|20)\d\d)年[^\d ]{0,6}?(?:印发|发布|出台|下发|发文)")
_AGENCY = re.compile(r"(省|市|县|局|委员会|人民政府|政府|办公室|管委会)$")
# Between two characters of a short form, what the full name has there (纺[织]机[械]厂).
_ABBREVIATED = "[\u4e00-\u9fff]{0,2}?"
# 2023年第58号, (2023)18号: a document's serial without the issuer's prefix.
_SERIAL = re.compile(r"(?:第|[)〕\]】])\s*0*(\d{1,5})\s*号")
# The months a request asks about (6月, 1至6月 for 上半年, 4至6月 for 二季度), not a day's date
# (6月14日).
_MONTHS = re.compile(r"(?:(\d{1,2})至)?(\d{1,2})月(?!\d{1,2}日)")


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
    numbers: frozenset[str]  # years, months, serials, plots; a document number's year
    places: frozenset[Name]
    kinds: frozenset[str]
    documents: frozenset[str]  # 文种: 批复, 方案, 纪要 …
    sections: frozenset[str]  # 东段, 政府性基金预算 …
    months: frozenset[str]  # 6, 1-6: the months a request is about
    qualified: frozenset[tuple[str, str]]  # (锦帆路, 东) a side of a road, (殡仪馆, 县) a level
    serials: frozenset[str]  # of the documents it names, by number or by serial alone
    follow_ups: frozenset[str]  # 执行情况, 完成情况, 执行报告: what came of a document
    draft: bool  # a 征求意见稿 or 草案, not the document as issued
    words: tuple[str, ...]  # the words that say what is asked

    @cached_property
    def weight(self) -> float:
        return sum(map(weight, self.words))

    @cached_property
    def weighted(self) -> tuple[tuple[str, float, tuple[str, ...]], ...]:
        """Each word with its weight and its pairs of characters, worked out once."""
        return tuple(
            (w, weight(w), tuple(w[i : i + 2] for i in range(len(w) - 1))) for w in self.words
        )

    text: str  # normalised, without punctuation or document numbers


@dataclass(frozen=True)
class Match:
    signal: str  # document_number | title | text
    evidence: str  # what matched, in words a handler reads


@dataclass(frozen=True)
class MatchPolicy:
    """How alike two descriptions must be to count as the same information: the share of the
    shorter one's words (by weight) found in the longer one. Tuned on the labelled sets
    tests/data/art44_*.toml that have been read; the README gives its figures on those that
    have not."""

    text_similarity: float = 0.5


@dataclass(frozen=True)
class CataloguedDocument:
    """An entry of the agency's register of its documents (发文目录)."""

    number: DocumentNumber
    title: str


@lru_cache(maxsize=65_536)
def document_number(text: str) -> DocumentNumber | None:
    """The document number `text` is, in any of the ways it is written, or None."""
    numbers, rest = _document_numbers(normalized(text))
    return numbers[0] if len(numbers) == 1 and not plain(rest) else None


def features(
    text: str, catalogue: Sequence[CataloguedDocument] = (), year: int | None = None
) -> Features:
    """What `text` says about the information it asks for. A document number found in the
    agency's `catalogue` brings the document's title with it, so that a request naming only
    the number compares with requests naming the title or describing the document. `year`:
    when the request was received, for what 今年 and 去年 mean."""
    numbers, text = _document_numbers(normalized(text, year))
    for document in catalogue:
        if any(document.number.same_as(n) for n in numbers):
            title = (
                _document_numbers(normalized(document.title))[1].replace("《", "").replace("》", "")
            )
            text = f"{text} 《{title}》"
    segmented = segments(text)
    rest = plain(text)
    # What is asked, without what the request says the record includes (抽检结果通告（含不合格
    # 产品名单）): it tells the kinds of record and what came of a document.
    asked = _INCLUDED.sub("", rest)
    return Features(
        tuple(numbers),
        frozenset(_title(t) for t in _TITLE.findall(text)),
        _numbers(spaced(text), numbers),
        names(spaced(text), segmented),
        kinds(rest),
        document_kinds(asked),
        sections(rest),
        frozenset(f"{m[1] or m[2]}-{m[2]}" for m in _MONTHS.finditer(rest)),
        qualified(rest),
        frozenset([*(n.serial for n in numbers), *_SERIAL.findall(text)]),
        follow_ups(asked),
        is_draft(asked),
        _content(words(segmented)),
        rest,
    )


def _numbers(text: str, document_numbers: list[DocumentNumber]) -> frozenset[str]:
    """The numbers in `text`, and the year a document was issued in when the text has no year
    of its own (衢卫医〔2023〕4号 reports on 2022年度)."""
    found = _DIGITS.findall(text)
    if not any(_YEAR.fullmatch(n) for n in found):
        found += (n.year for n in document_numbers)
    issued = set(_ISSUED.findall(text))
    if any(_YEAR.fullmatch(n) and n not in issued for n in found):
        found = [n for n in found if n not in issued]
    return frozenset(found)


def _content(found: list[str]) -> tuple[str, ...]:
    """Words that say what is asked: not numbers (compared apart), and not the agency asked
    or its county or city, which every request to the agency implies (贵局 = 清河县教育局)."""
    return tuple(w for w in found if len(w) > 1 and not w.isdigit() and not _AGENCY.search(w))


def _document_numbers(text: str) -> tuple[list[DocumentNumber], str]:
    """The document numbers in normalised `text`, and the text without them. A number cited
    as the basis of something else (按琮政发〔2022〕7号的标准) is not the one asked for."""
    numbers: list[DocumentNumber] = []
    for pattern in _DOCUMENT_NUMBERS:
        for m in pattern.finditer(text):
            prefix = _prefix(m[1])
            if not (_CITED_AFTER.search(m[1][: m[1].rfind(prefix)]) or _CITED_IN.match(prefix)):
                numbers.append(DocumentNumber(prefix, m[2], m[3]))
        text = pattern.sub(" ", text)
    return numbers, text


def _prefix(raw: str) -> str:
    """The issuer's prefix without the words an applicant put before it."""
    return "".join(words(segments(raw))) or raw


def _title(raw: str) -> str:
    title = plain(raw)
    for wrapper in _TITLE_WRAPPERS:
        title = wrapper.sub("", title)
    return title


def match(a: Features, b: Features, policy: MatchPolicy = MatchPolicy()) -> Match | None:
    """The strongest reason `a` and `b` ask for the same information, or None. What follows
    from a document (its enforcement, progress, acceptance) is not the document, even when
    the request names it by its number."""
    if records_apart(a, b):
        return None
    if a.document_numbers and b.document_numbers:
        for x in a.document_numbers:
            for y in b.document_numbers:
                if x.same_as(y):
                    return Match("document_number", f"文号 {x}")
        return None
    if details_apart(a, b):
        return None
    for t in a.titles:
        for u in b.titles:
            if _same_title(t, u):
                return Match("title", f"标题《{min(t, u, key=len)}》")
    similarity = _shared(a, b)
    if similarity >= policy.text_similarity and _says_what(a) and _says_what(b):
        return Match("text", f"文字相近 {similarity:.2f}")
    return None


def records_apart(a: Features, b: Features) -> bool:
    """Different records, whatever else they share: another kind of document, the approval of
    what the other asks for, what came of a document, a draft."""
    return (
        _conflict(a.documents, b.documents)
        or _titled_apart(a, b)
        or _titled_apart(b, a)
        or _approval_apart(a, b)
        or _approval_apart(b, a)
        or bool(a.follow_ups) != bool(b.follow_ups)
        or a.draft != b.draft
    )


def details_apart(a: Features, b: Features) -> bool:
    """Different information of one kind: other numbers, kinds, parts, months, sides of a road or
    levels, names or serials."""
    return (
        any(
            _conflict(x, y)
            for x, y in (
                (a.numbers, b.numbers),
                (a.kinds, b.kinds),
                (a.sections, b.sections),
                (a.months, b.months),
            )
        )
        or _qualified_apart(a, b)
        or _named_apart(a, b)
        or bool(a.serials and b.serials and not a.serials & b.serials)
    )


def _titled_apart(a: Features, b: Features) -> bool:
    """`a` names its document by a title, and `b` asks for the approval of a document that
    title is not (《X规划》 is not the 批复 of it)."""
    return bool(a.titles) and any(
        not any(DOCUMENT_KIND_PATTERNS[kind].search(t) for t in a.titles)
        for kind in b.documents & APPROVALS
    )


def _approval_apart(a: Features, b: Features) -> bool:
    """`b` asks for the approval of a report, plan or design, and `a` for such a thing
    without asking for its approval (隆晟化工事故调查报告, not the 批复 that accepted it)."""
    return (
        bool(b.documents & APPROVALS)
        and not a.documents & APPROVALS
        and bool(APPROVED.search(a.text))
    )


def _same_title(t: str, u: str) -> bool:
    """The same title, or one within the other with nothing around it that makes it another
    document (《X》 is not 《关于X的批复》)."""
    short, long = sorted((t, u), key=len)
    if short == long:
        return True
    around = long.replace(short, " ")
    return len(short) >= 6 and short in long and not ANY_KIND.search(around)


def _conflict(x: frozenset[str], y: frozenset[str]) -> bool:
    """Each names something the other does not: different information. One naming more than
    the other is only more precise."""
    return bool(x - y) and bool(y - x)


def _qualified_apart(a: Features, b: Features) -> bool:
    """Each says a different side of the same road (锦帆路东侧 and 锦帆路西侧), or a different
    level's institution (市殡仪馆 and 县殡仪馆)."""
    common = {thing for thing, _ in a.qualified} & {thing for thing, _ in b.qualified}
    return any(
        not {which for thing, which in a.qualified if thing == t}
        & {which for thing, which in b.qualified if thing == t}
        for t in common
    )


def _named_apart(a: Features, b: Features) -> bool:
    """Each names a place, firm, school, project or person of one kind that the other's text
    does not mention (柳树湾村 and 柳树沟村; not the applicant's 新桥巷 and a 棚户区改造
    project)."""
    a_only = {n.kind for n in a.places if not _named_in(b, n)}
    return any(n.kind in a_only and not _named_in(a, n) for n in b.places)


def _named_in(f: Features, name: Name) -> bool:
    """Whether `f` names `name`: a person as the one whose record it asks for (户主陈永禄, not
    the brother a story mentions), anything else anywhere in its text."""
    if name.kind == "person":
        return name in f.places
    if name.kind == "firm":  # 泓野钜丰化工 is mentioned as 钜丰化工: the city is often left out
        return mentions(f.text, name.stem[-4:])
    return mentions(f.text, name.stem)


def mentions(text: str, word: str) -> bool:
    """Whether `text` has `word`, whole or as the full name `word` abbreviates (纺机 for
    纺织机械, 污水厂 for 污水处理厂): its characters in order, at most two between each."""
    if word in text:
        return True
    return (
        len(word) >= 2
        and all(c in text for c in word)
        and _abbreviation(word).search(text) is not None
    )


@lru_cache(maxsize=65_536)
def _abbreviation(word: str) -> re.Pattern[str]:
    return re.compile(_ABBREVIATED.join(map(re.escape, word)))


def _shared(a: Features, b: Features) -> float:
    """The share of the shorter request's words, each weighted by how much it tells, that the
    longer one has; 0 when one names a kind of information (预算, 审计, 最低生活保障 …) the
    other does not."""
    short, long = sorted((a, b), key=lambda f: f.weight)
    if not short.weight or short.kinds != long.kinds:
        return 0.0
    return sum(weight(w) for w in short.words if mentions(long.text, w)) / short.weight


def _says_what(f: Features) -> bool:
    """Whether the words say which information, beyond its kind: a request that gives a
    document number and only 补偿安置方案 besides says which one by the number alone."""
    if not f.document_numbers or f.places or f.titles:
        return True
    return len(ANY_KIND.sub("", "".join(f.words))) >= 4
