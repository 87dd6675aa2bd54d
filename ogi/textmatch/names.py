"""The names a request gives, each with its kind: villages and towns, estates, roads, rivers,
firms, schools and hospitals, projects, people. Two requests that each name a different one of
the same kind (柳树湾村 and 柳树沟村, 涟滨路口 and 桂岭路口) ask for different information; a name
of another kind (the applicant's own street) only says more. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ogi.textmatch.wording import STOPWORDS, tagged

# The suffixes that end a name, by the kind of thing named.
_SUFFIXES = {
    "firm": ("有限责任公司", "有限公司", "公司", "超市", "商店", "酒店", "工厂", "厂"),
    "place": (
        *("街道", "社区", "乡", "镇", "村", "小区", "片区", "苑", "园", "大街", "大道", "街"),
        *("巷", "路", "河段", "河", "段", "湾", "沟", "林场", "景区", "断面"),
    ),
    "organisation": (
        *("卫生院", "医院", "小学", "中学", "幼儿园", "派出所", "司法所", "殡仪馆"),
        *("培训学校", "学校", "培训中心"),
    ),
}
_KIND_OF_SUFFIX = {suffix: kind for kind, suffixes in _SUFFIXES.items() for suffix in suffixes}
_SUFFIX = re.compile("|".join(sorted(_KIND_OF_SUFFIX, key=len, reverse=True)))
# Kinds compared by the name without its suffix (锦绣花园小区 is 锦绣花园); a school is not
# (凤鸣小学 is not 凤鸣中学).
_STEMMED = frozenset(_SUFFIXES) - {"organisation"}
_LONGEST = 4  # characters before the suffix
_COMPANIES = frozenset({"有限责任公司", "有限公司", "公司"})
_COMPANY = 10  # characters of a company's name before 有限公司
# Characters a name cannot reach back past: a larger place, a word around it, not Chinese.
_BOUNDARY = frozenset(
    "省市县区镇乡府局委会厅办的及系是在于开请我们本该和与向对给为从到涉年月日住了说看想叫把按"
    " 0123456789"
)
# Words before a name that are not part of it: pronouns, verbs, prepositions, conjunctions,
# particles, adverbs, places relative to something, times, directions (我们|泥湾村, 隔壁|泥湾村,
# 撤并|马栏小学, 旁边|锦绣小区).
# A single character's tag is not trusted: the tagger calls 鸣 of 凤鸣小学 a verb.
_NOT_IN_NAMES = frozenset("rvpcudstyf")
_LARGER_PLACES = frozenset("省市县区镇乡")
_DIRECTIONS = frozenset("东西南北中上下前后内外")
_GENERIC = frozenset(
    {"农村", "乡村", "城乡", "乡镇", "城镇", "老旧小区", "住宅小区", "居民小区", "化工厂"}
)
_NOT_A_ROAD = re.compile(r"(线路|道路|公路|马路|网路)$")
# 哪所小学, 这个医院: words around a school or hospital, not its name.
_NOT_AN_ORGANISATION = re.compile(r"[哪这那该各本每此其所上到被]")
_PERSON = re.compile(
    r"(?<=户主)[\u4e00-\u9fff]{2,3}|(?<=[组村])[\u4e00-\u9fff]{2,3}(?=户)"
    r"|(?<=本人|我叫|我是|代表|父亲|母亲)[\u4e00-\u9fff]{2,3}(?=[\s，,。(（]|委托)"
)
# 张某某, 李某: a record's name for a person is a surname and 某; 某某 alone, 对某某 or 关于某某
# are placeholders (for a person, a firm, a village), not a name.
_PLACEHOLDER_PERSON = re.compile(r"(?<!某)([\u4e00-\u9fff])某{1,2}(?!某)")
# The common surnames (百家姓, single characters), for what comes before 某.
# fmt: off
_SURNAMES = frozenset(
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵"
    "席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗"
    "丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊甄曲家封芮羿储靳汲邴糜松井段富巫乌焦"
    "巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄印宿白"
    "怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍却璩桑桂濮牛寿通"
    "边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘匡国文寇"
    "广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相查后荆红"
    "游竺权逯盖益桓公覃"
)
# fmt: on


@dataclass(frozen=True)
class Name:
    kind: str  # place, firm, organisation, project, person
    name: str
    stem: str  # as another request would mention it: a place without its suffix


def _named(kind: str, name: str, suffix: str = "") -> Name:
    return Name(kind, name, name.removesuffix(suffix) if kind in _STEMMED else name)


def names(text: str, segmented: list[str]) -> frozenset[Name]:
    """The names in `text` (spaced, normalised): the characters before a suffix, back to a
    boundary or the name before (城关镇|李家庄村, 金樨大道|桂岭路); people as records and
    applicants write them (张某某, 户主陈永禄, 三组岑有福户, 本人岑有禄，); and what a project
    is called (the word before 项目). Names are cut from the text, not the words: a segmenter
    does not know 柳树湾 and cuts it apart."""
    blocked, hard, starts = _blocked(text)
    found = {_named("person", p) for p in _PERSON.findall(text)}
    found.update(
        _named("person", m[0])
        for m in _PLACEHOLDER_PERSON.finditer(text)
        if m[1] in _SURNAMES and m.start() in starts
    )
    found.update(
        _named("project", segmented[i - 1])
        for i, word in enumerate(segmented)
        if word == "项目" and i and len(segmented[i - 1]) > 1 and segmented[i - 1] not in STOPWORDS
    )
    previous: Name | None = None
    previous_end = 0
    for suffix in _SUFFIX.finditer(text):
        kind = _KIND_OF_SUFFIX[suffix[0]]
        if previous and _extends(text, previous_end, suffix.start(), blocked):
            found.discard(previous)
            previous = _named(kind, previous.name + text[previous_end : suffix.end()], suffix[0])
            found.add(previous)
            previous_end = suffix.end()
            continue
        start = suffix.start()
        if suffix[0] in _COMPANIES:
            # 恒通停车管理|有限公司: a company's name runs back to a larger place or a word
            # around it, whatever its words are (管理, 开发 and 服务 are verbs to the tagger).
            while (
                start > previous_end and suffix.start() - start < _COMPANY and not hard[start - 1]
            ):
                start -= 1
        while start > previous_end and suffix.start() - start < _LONGEST and not blocked[start - 1]:
            start -= 1
        if not (start == previous_end or blocked[start - 1]):
            start = _word_start(starts, start, suffix.start())
        name = _named(kind, text[start : suffix.end()], suffix[0])
        bounded = start == previous_end or blocked[start - 1] or start in starts
        long_enough = suffix.start() - start >= 2
        if bounded and long_enough and _is_a_name(name, text[start : suffix.start()]):
            found.add(name)
            previous, previous_end = name, suffix.end()
    return frozenset(found)


def _extends(text: str, previous_end: int, suffix_start: int, blocked: list[bool]) -> bool:
    """Whether a suffix right after a name, or after a direction after it, makes it longer
    (柳树湾|村, 纬三路|东|片区; not 竹岙镇|农|村)."""
    return suffix_start == previous_end or (
        suffix_start == previous_end + 1
        and not blocked[previous_end]
        and text[previous_end] in _DIRECTIONS
    )


def _is_a_name(name: Name, before_suffix: str) -> bool:
    """Not a word for any such thing (农村, 化工厂), nor a placeholder (某公司, 某某村)."""
    if name.name in _GENERIC or _NOT_A_ROAD.search(name.name) or "某" in name.name:
        return False
    return name.kind != "organisation" or not _NOT_AN_ORGANISATION.search(before_suffix)


def _word_start(starts: frozenset[int], earliest: int, suffix_start: int) -> int:
    """Where the tagger's word nearest before a suffix begins that leaves a name at least two
    characters long (项目|下沙|村, 土地征收|上|沙|村), or `earliest` when none does."""
    return next((i for i in range(suffix_start - 2, earliest - 1, -1) if i in starts), earliest)


def _blocked(text: str) -> tuple[list[bool], list[bool], frozenset[int]]:
    """For each character of `text`, whether a name cannot include it, and whether a company's
    name cannot (only larger places and the words around names stop it: a subset of the
    first); and where the tagger's words begin."""
    blocked: list[bool] = []
    hard: list[bool] = []
    starts: set[int] = set()
    for word, flag in tagged(text):
        starts.add(len(blocked))
        # 镇上|沙村: the tagger's word that begins with a larger place is cut at it.
        stop = word in STOPWORDS or (
            len(word) > 1 and flag[:1] in _NOT_IN_NAMES and word[0] not in _LARGER_PLACES
        )
        blocked += [stop or c in _BOUNDARY for c in word]
        hard += [word in STOPWORDS or c in _BOUNDARY for c in word]
    return blocked, hard, frozenset(starts)
