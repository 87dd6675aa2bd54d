"""How applicants write: the same information in different words. Normalising a request's text so
that equal things are written equally (numerals, abbreviations, quarters, names of document
kinds), taking off what every request says (citations of the Regulations, 申请公开, politeness),
and cutting the rest into words. No I/O beyond the word list the segmenter ships with."""

from __future__ import annotations

import logging
import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources

import jieba
import jieba.posseg
from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

_CHINESE_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_SHORT_YEAR = re.compile(r"(?<![\d.])([12]\d)年")  # 23年 = 2023年
_DOTTED_DATE = re.compile(r"(?<!\d)(\d{4})\.(\d{1,2})\.(\d{1,2})(?!\d)")  # 2023.7.1
# 二〇二三年, and the year of a document number written in numerals (琮环罚（二〇二三）十一号).
_CHINESE_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}(?=\s*(?:年|[〕\])】]))")
# 第十二次, 三季度, 二期, 六月二十六日: small Chinese numbers that tell one document from the next.
_CHINESE_ORDINAL = re.compile(
    r"(?<=第)[一二三四五六七八九十]{1,3}"
    r"|(?<![这那每同])[一二三四五六七八九十]{1,3}(?=季度|批|期|次|号|月|日|标段|组|届|栋|幢)"
)
_QUARTER = re.compile(r"第?([1-4])季度")
# 不是批复, 不要征求意见稿, 已经拿到2022年度的, 补偿方案我已经有了: what the applicant does not
# want, or has, is not what they ask for.
_NEGATED = re.compile(
    r"(而?不是|不要|不需要|无需|并非|而非)[^，。；,;:：()（）]{0,15}"
    r"|[^，。；,;:：()（）]{0,12}(不需要|不用|不要)"
    r"|(已经拿到|已经有|手头已有|已拿到|已获得|已经获取)[^，。；,;:：]{0,30}"
    r"|[^，。；,;:：]{0,25}?(已经?|我们?|网上)[^，。；,;:：]{0,8}?"
    r"(有了|看过了?|看到了?|拿到了?|下载了?|取得了?|收到了?|公示了|能查到|查得到)(?=[，。；,;]|$)"
)
# 与2024年的方案作对比, 比可研阶段增加了多少: what the applicant compares the information with.
_COMPARED = re.compile(
    r"(与|和|跟|同)[^，。；,;:：]{1,15}?(作|做|进行)?(对比|比较|相比)"
    r"|比[^，。；,;:：]{1,10}?(增加|减少|多|少|高|低|变化)"
)
# 就在荻口隔壁, （梓关乡，与红杉村相邻）, （在金樨大道上，涟滨路口往东一个路口）: a clause that
# names a place to say where another is, and asks for nothing, is not about what is asked.
_CLAUSE = re.compile(r"[^，,、；;。()（）]+")
_ASKING = re.compile(r"申请|公开|提供|请|要|查|获取")
_LANDMARK = re.compile(r"相邻|毗邻|交界|旁边|附近|隔壁|对面|往[东西南北]|以[东西南北]")
# 今年的检查计划, received in 2024, asks for 2024's; 去年 and 上年度 for 2023's.
_RELATIVE_YEARS = {"今": 0, "本": 0, "去": -1, "上": -1, "前": -2, "明": 1}
_RELATIVE_YEAR = re.compile(r"(今|本|去|上|前|明)一?年度?")
_QUARTER_MONTHS = {"1": "1至3月", "2": "4至6月", "3": "7至9月", "4": "10至12月"}
# 七八九月份: consecutive months written as a run of numerals.
_MONTH_RUN = re.compile(
    r"((?:[一二三四五六七八九十]{1,2}月?、){1,5}[一二三四五六七八九十]{1,2}|[一二三四五六七八九十]{2,6})"
    r"(?:三个)?月份?"
)
_MONTH_RANGE = re.compile(r"(\d{1,2})月?(?:至|到|-|—|~|～)(\d{1,2})月(?:份)?")
_HALF_YEARS = (("上半年", "1至6月"), ("下半年", "7至12月"))
# The legal basis an applicant cites is not what they ask for; a title ending in 办法 is.
_CITATION = re.compile(
    r"(依据|根据|依照|按照)?《[^《》]*(条例|(?<!办)法)》(第[一二三四五六七八九十百]+条)?(之?规定)?"
    r"|第[一二三四五六七八九十百]+条(之?规定)?"
)
# Words every request uses; they say nothing about which information is asked for.
# fmt: off
STOPWORDS = frozenset({
    "根据", "依据", "依照", "按照", "条例", "规定", "本人", "我们", "我方", "申请人", "因",
    "需要", "特", "现", "向", "贵", "贵局", "贵委", "贵办", "贵单位", "贵机关", "贵府", "申请",
    "请求", "要求", "希望", "恳请", "麻烦", "请", "予以", "依法", "公开", "提供", "获取",
    "查阅", "复制", "告知", "一份", "全部", "完整", "相关", "有关", "具体", "内容", "信息",
    "政府信息", "文件", "材料", "资料", "以下", "如下", "等", "的", "及", "和", "与", "或",
    "谢谢", "此致", "敬礼", "纸质", "电子版", "邮寄", "方式", "形式", "全文", "原文", "包括",
    "含", "其中", "即", "该", "此", "这", "那", "那份", "这份", "想", "了解", "一下", "是否",
    "什么", "哪", "哪些", "怎么", "如何", "到底", "是", "谁", "为", "对", "关于", "作出",
    "做出", "出台", "印发", "发布", "制定", "下发", "由", "于", "在", "中", "之", "其", "所",
    "被", "将", "已", "我", "我村", "本村", "我们村", "情况", "去年", "今年", "明年", "上年",
    "当年", "该年", "年", "月", "日",
})
# fmt: on
THESAURUS = "thesaurus.toml"  # beside this module
_NOT_TEXT = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")


def normalized(text: str, year: int | None = None) -> str:
    """One spelling for each thing: half-width, lower case, Arabic numerals, written-out names;
    今年, 去年, 前年 and 明年 as the years they are when the request was received in `year`."""
    text = _CITATION.sub(" ", unicodedata.normalize("NFKC", text).lower())
    if year is not None:
        text = _RELATIVE_YEAR.sub(lambda m: f"{year + _RELATIVE_YEARS[m[1]]}年", text)
    text = _NEGATED.sub(" ", text)
    text = _COMPARED.sub(" ", text)
    text = _CLAUSE.sub(_without_landmark, text)
    text = _SHORT_YEAR.sub(r"20\1年", text)
    text = _DOTTED_DATE.sub(r"\1年\2月\3日", text)
    text = _CHINESE_YEAR.sub(lambda m: "".join(_CHINESE_DIGITS[c] for c in m[0]), text)
    text = _MONTH_RUN.sub(_months, text)
    text = _CHINESE_ORDINAL.sub(lambda m: str(_chinese_number(m[0])), text)
    text = _QUARTER.sub(lambda m: _QUARTER_MONTHS[m[1]], text)
    text = _MONTH_RANGE.sub(lambda m: f"{int(m[1])}至{int(m[2])}月", text)
    for half, months in _HALF_YEARS:
        text = text.replace(half, months)
    forms, pattern = _thesaurus()
    return pattern.sub(lambda m: forms[m[0]], text)


def segments(text: str) -> list[str]:
    """Normalised `text` cut into words, punctuation left out."""
    return [w for w in _segmenter().lcut(_NOT_TEXT.sub(" ", text), HMM=False) if w.strip()]


def tagged(text: str) -> list[tuple[str, str]]:
    """`text` cut into words, each with its part of speech (ICTCLAS tags: v verb, r pronoun, ns
    place name …); the words put together are `text`."""
    return [(pair.word, pair.flag) for pair in _tagger().lcut(text, HMM=False)]


def words(segmented: list[str]) -> list[str]:
    """The words that can say which information is meant. Characters the segmenter left alone
    are joined back: they are a name it does not know (锦/澜/府 is 锦澜府)."""
    found: list[str] = []
    alone = ""
    for w in [*segmented, ""]:
        if len(w) == 1 and w not in STOPWORDS and not w.isdigit():
            alone += w
            continue
        if alone:
            found.append(alone)
            alone = ""
        if w and w not in STOPWORDS:
            found.append(w)
    return found


def spaced(text: str) -> str:
    """`text` with a space for each run of punctuation."""
    return _NOT_TEXT.sub(" ", text)


def plain(text: str) -> str:
    """`text` without punctuation, for looking words up in it."""
    return _NOT_TEXT.sub("", text)


def weight(word: str) -> float:
    """How much a word tells: its inverse document frequency in the general corpus the
    segmenter ships with (食品 5.9, 抽检 9.1, 情况 4.0); words it does not know are names and
    weigh like its rarer half."""
    frequencies, median = _idf()
    return frequencies.get(word, median)


@cache
def _idf() -> tuple[dict[str, float], float]:
    loader = IDFLoader(DEFAULT_IDF)
    return loader.idf_freq, loader.median_idf


@cache
def _thesaurus() -> tuple[dict[str, str], re.Pattern[str]]:
    """Each form of thesaurus.toml with the term it is read as, and one pattern for them all,
    longest first: one pass, so a canonical term (天然气) is never rewritten by a shorter form
    inside it (燃气)."""
    terms = tomllib.loads(resources.files(__package__).joinpath(THESAURUS).read_text("utf-8"))
    forms = {form: term["canonical"] for term in terms["term"] for form in term["forms"]}
    # A canonical term with a form inside it is read as itself (天然气 holds 燃气).
    forms |= {term: term for term in set(forms.values()) if any(f in term for f in forms)}
    ordered = sorted(forms, key=len, reverse=True)
    return forms, re.compile("|".join(map(re.escape, ordered)))


@cache
def _segmenter() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    segmenter = jieba.Tokenizer()
    for canonical in set(_thesaurus()[0].values()):
        segmenter.add_word(canonical)
    return segmenter


@cache
def _tagger() -> jieba.posseg.POSTokenizer:
    return jieba.posseg.POSTokenizer(_segmenter())


def _months(run: re.Match[str]) -> str:
    """七八九月份, 七、八、九三个月, 七月、八月、九月 → 7至9月; 十一十二月 → 11至12月."""
    listed = run[1].replace("月", "")
    if "、" in listed:
        months = [_chinese_number(item) for item in listed.split("、")]
    else:
        numerals = listed.replace("十一", "a").replace("十二", "b")
        months = [{"a": 11, "b": 12}.get(c) or _chinese_number(c) for c in numerals]
    return (
        f"{months[0]}至{months[-1]}月"
        if months == list(range(months[0], months[-1] + 1))
        else run[0]
    )


def _without_landmark(clause: re.Match[str]) -> str:
    landmark = _LANDMARK.search(clause[0]) and not _ASKING.search(clause[0])
    return " " if landmark else clause[0]


def _chinese_number(numeral: str) -> int:
    """一 … 九十九."""
    if "十" not in numeral:
        return int(_CHINESE_DIGITS[numeral[-1]])
    tens, _, units = numeral.partition("十")
    return int(_CHINESE_DIGITS[tens] if tens else 1) * 10 + int(
        _CHINESE_DIGITS[units] if units else 0
    )
