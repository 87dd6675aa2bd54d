"""The Art 44 detector on the labelled sets (tests/data/art44_*.toml, written by helpers that never
saw the matcher): pairwise precision and recall of the groups it forms. Requests arrive in a
fixed shuffled order and join groups as the detector has them join (services.archive.grouping);
with the default policy its groups are the connected parts of the match graph, whatever the
order. Each set's notes name the documents, and serve as the agency's register of them
(发文目录). The issue's target is 0.9 for both (README, "Frequently requested")."""

from __future__ import annotations

import itertools
import random
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from ogi.textmatch.similarity import CataloguedDocument, document_number, features, match
from services.archive.conversion import ConversionPolicy
from services.archive.grouping import DEFAULT_GROUPING, Grouping, GroupingPolicy, joined

DATA = Path(__file__).parent.parent / "data"
_REMARK = re.compile(r"\s*(\(sibling of|——).*$")


def register(groups: list[dict[str, object]]) -> list[CataloguedDocument]:
    """The documents the notes name with their numbers, one title for each number: a note that
    names the number of another group's document (a sibling's note on that document's
    enforcement, say) is not that document's entry in the register."""
    notes = sorted((str(g["note"]) for g in groups), key=lambda note: "(sibling of" in note)
    titles: dict[str, CataloguedDocument] = {}
    for note in map(_REMARK.sub, itertools.repeat(""), notes):
        for number in features(note).document_numbers:
            titles.setdefault(str(number), CataloguedDocument(number, note))
    return list(titles.values())


def formed_groups(
    name: str, *, with_register: bool = True, grouping: GroupingPolicy = DEFAULT_GROUPING
) -> tuple[list[str], list[str]]:
    """Each request's labelled group and the group the detector put it in."""
    groups = tomllib.loads((DATA / name).read_text())["group"]
    catalogue = register(groups) if with_register else []
    requests = [(g["id"], features(text, catalogue)) for g in groups for text in g["requests"]]
    random.Random(0).shuffle(requests)
    group_of: list[str] = []
    for i, (_, mine) in enumerate(requests):
        matches = [(group_of[j], m.signal) for j in range(i) if (m := match(mine, requests[j][1]))]
        group, absorbed = joined(matches, Counter(group_of), set(), set(), grouping)
        group = group or str(i)
        group_of = [group if g in absorbed else g for g in group_of] + [group]
    return [label for label, _ in requests], group_of


def precision_recall(
    name: str, *, with_register: bool = True, grouping: GroupingPolicy = DEFAULT_GROUPING
) -> tuple[float, float]:
    labels, group_of = formed_groups(name, with_register=with_register, grouping=grouping)
    hits = false_alarms = misses = 0
    for i, j in itertools.combinations(range(len(labels)), 2):
        grouped, same = group_of[i] == group_of[j], labels[i] == labels[j]
        hits += grouped and same
        false_alarms += grouped and not same
        misses += same and not grouped
    return hits / (hits + false_alarms), hits / (hits + misses)


# (set, precision floor, recall floor), each floor just under what the matcher reaches, so that
# it cannot get worse anywhere. The matcher was tuned on every set it has been read against
# (README, "Frequently requested", says which and what each gave when first measured, unseen).
# art44_blind2, art44_blind5 to art44_blind9, art44_blind12, 13 and 16 to 19 have never been
# read: their figures are the honest ones. Keep them unread; tune on the others, measure them,
# and have new sets written once they have been read.
SETS = [
    ("art44_tuning.toml", 0.9, 0.9),
    ("art44_heldout.toml", 0.9, 0.9),
    ("art44_fresh.toml", 0.9, 0.9),
    ("art44_final.toml", 0.95, 0.85),
    ("art44_blind.toml", 0.95, 0.85),
    ("art44_blind3.toml", 0.95, 0.9),
    ("art44_blind4.toml", 0.9, 0.65),
    ("art44_dev1.toml", 0.95, 0.85),
    ("art44_dev2.toml", 0.85, 0.75),
    ("art44_dev3.toml", 0.75, 0.75),
    ("art44_dev4.toml", 0.7, 0.85),
    ("art44_dev5.toml", 0.8, 0.75),
    ("art44_dev6.toml", 0.85, 0.8),
    ("art44_blind2.toml", 0.85, 0.75),
    ("art44_blind5.toml", 0.8, 0.8),
    ("art44_blind6.toml", 0.55, 0.75),
    ("art44_blind7.toml", 0.7, 0.9),
    ("art44_blind8.toml", 0.8, 0.9),
    ("art44_blind9.toml", 0.85, 0.75),
    ("art44_blind10.toml", 0.95, 0.65),
    ("art44_blind11.toml", 0.7, 0.8),
    ("art44_blind12.toml", 0.6, 0.75),
    ("art44_blind13.toml", 0.6, 0.75),
    ("art44_blind14.toml", 0.75, 0.7),
    ("art44_blind15.toml", 0.75, 0.75),
    ("art44_blind16.toml", 0.5, 0.6),
    ("art44_blind17.toml", 0.7, 0.65),
    ("art44_blind18.toml", 0.45, 0.55),
    ("art44_blind19.toml", 0.45, 0.7),
]
UNREAD = {f"art44_blind{n}.toml" for n in (2, 5, 6, 7, 8, 9, 12, 13, 16, 17, 18, 19)}


@pytest.mark.parametrize(("name", "precision_floor", "recall_floor"), SETS)
def test_the_detector_groups_same_information(
    name: str, precision_floor: float, recall_floor: float
) -> None:
    precision, recall = precision_recall(name)
    without = precision_recall(name, with_register=False)
    print(
        f"{name}: precision {precision:.3f}, recall {recall:.3f} "
        f"(without the register {without[0]:.3f}, {without[1]:.3f})"
    )
    assert precision >= precision_floor
    assert recall >= recall_floor


APPLICANTS = ConversionPolicy().applicants


@dataclass
class Candidates:
    """What a handler is shown: every formed group of at least `APPLICANTS` requests (each
    request of a set comes from another applicant) is a candidate."""

    shown: int = 0
    real: int = 0  # has `APPLICANTS` requests for one document: worth converting
    pure: int = 0  # and nothing else, so nothing to take out
    asked_often: int = 0  # documents the set asks for `APPLICANTS` times or more
    found: int = 0  # of those, shown as a real candidate

    def add(self, name: str) -> None:
        labels, group_of = formed_groups(name)
        members: dict[str, Counter[str]] = {}
        for label, group in zip(labels, group_of, strict=True):
            members.setdefault(group, Counter())[label] += 1
        shown = [m for m in members.values() if m.total() >= APPLICANTS]
        self.shown += len(shown)
        self.real += sum(m.most_common(1)[0][1] >= APPLICANTS for m in shown)
        self.pure += sum(len(m) == 1 for m in shown)
        often = [label for label, n in Counter(labels).items() if n >= APPLICANTS]
        self.asked_often += len(often)
        self.found += sum(any(m[label] >= APPLICANTS for m in shown) for label in often)


def test_what_a_handler_is_shown_as_candidates() -> None:
    """The pairwise figures count every stray request; a handler sees candidates. On the unread
    sets nearly every candidate is a document asked for often (some with a stray application
    to take out), and three in four such documents are found."""
    figures = {"read": Candidates(), "unread": Candidates()}
    for name, *_ in SETS:
        figures["unread" if name in UNREAD else "read"].add(name)
    for which, c in figures.items():
        print(
            f"{which}: {c.shown} candidates, {c.real / c.shown:.3f} real, "
            f"{c.pure / c.shown:.3f} pure; {c.found / c.asked_often:.3f} of the "
            f"{c.asked_often} documents asked for {APPLICANTS}+ times found"
        )
    read, unread = figures["read"], figures["unread"]
    assert read.real / read.shown > 0.99
    assert read.found / read.asked_often > 0.83
    assert unread.real / unread.shown > 0.98
    assert unread.found / unread.asked_often > 0.74


def test_the_grouping_policies_trade_recall_for_precision() -> None:
    """The policy's choices on the sets that have been read (the unread ones are kept for
    measuring the default): joining every matched group finds the most, joining only the group
    matched most is the purest, the default share between them."""
    read = [name for name, *_ in SETS if name not in UNREAD]
    figures = {
        grouping: [precision_recall(name, grouping=GroupingPolicy(grouping)) for name in read]
        for grouping in Grouping
    }
    for i, name in enumerate(read):
        print(name, ", ".join(f"{g} {f[i][0]:.3f} / {f[i][1]:.3f}" for g, f in figures.items()))
    precision = {g: sum(p for p, _ in f) for g, f in figures.items()}
    recall = {g: sum(r for _, r in f) for g, f in figures.items()}
    assert (
        precision[Grouping.EVERY_MATCH] < precision[Grouping.SHARE] < precision[Grouping.BEST_MATCH]
    )
    assert recall[Grouping.EVERY_MATCH] > recall[Grouping.SHARE] > recall[Grouping.BEST_MATCH]


def test_document_numbers_match_across_bracket_styles_and_words_around_them() -> None:
    forms = [
        "申请公开甘办发〔2019〕18号",
        "甘办发[2019]18号文件",
        "请提供甘办发（2019）第18号",
        "甘办发2019年第18号文",
    ]
    for a, b in itertools.combinations(forms, 2):
        found = match(features(a), features(b))
        assert found is not None
        assert found.evidence == "文号 甘办发〔2019〕18号"
    assert match(features(forms[0]), features("甘办发〔2019〕19号")) is None
    assert match(features(forms[0]), features("甘政发〔2019〕18号")) is None


def test_a_number_alone_matches_the_title_through_the_register() -> None:
    number = document_number("临发改价格〔2022〕3号")
    assert number is not None
    catalogue = [
        CataloguedDocument(number, "临川市发展和改革委员会关于核定青龙山景区门票价格的批复")
    ]
    bare, described = (
        "申请公开临发改价格〔2022〕3号文件。",
        "请公开市发改委关于青龙山风景区门票价格的批复。",
    )
    assert match(features(bare), features(described)) is None
    found = match(features(bare, catalogue), features(described, catalogue))
    assert found is not None
    assert (
        match(
            features(bare, catalogue),
            features("请公开市发改委关于青龙山风景区观光车票价的批复。", catalogue),
        )
        is None
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("申请公开涉及柳树湾村的征收土地预公告。", "申请公开涉及柳树沟村的征收土地预公告。"),
        ("县教育局2023年部门预算", "县教育局2023年度决算"),
        ("2023年二季度食品抽检公告", "2023年七八九月份抽检的食品抽检公告"),
        ("鑫园超市农残超标的行政处罚决定", "桐岚市鑫源食品有限公司的行政处罚决定书"),
        ("《临川市城市户外广告设置管理办法》", "申请公开临教发〔2023〕21号文件"),
        # Written for the kinds of near miss agencies meet, not taken from the labelled sets.
        ("东环路东段拓宽工程的规划许可证", "东环路西段拓宽工程的规划许可证"),
        ("2023年上半年空气质量监测数据", "2023年下半年空气质量监测数据"),
        ("2021年县本级一般公共预算执行情况", "2021年县本级政府性基金预算执行情况"),
        ("关于生猪养殖禁养区划定的通告", "关于生猪养殖限养区划定的通告"),
        ("城南污水处理厂提标改造项目招标公告", "城南污水处理厂提标改造项目中标结果公示"),
        ("2022年耕地地力保护补贴发放名单", "2022年耕地地力保护补贴发放标准"),
        ("北岸大道征地补偿标准", "北岸大道征地补偿款发放明细"),
        ("自来水价格调整听证会的听证笔录", "自来水价格调整方案"),
        ("华兴化工违法排污的行政处罚决定书", "华兴化工违法排污整改的验收意见"),
        ("张某某家宅基地审批材料", "李某某家宅基地审批材料"),
        ("凤鸣小学学区划分方案", "凤鸣中学学区划分方案"),
        ("城东派出所对王某的行政处罚决定", "城西派出所对王某的行政处罚决定"),
        ("望槿苑小区3号楼电梯2023年定期检验报告", "望槿苑5号楼电梯2023年度定期检验报告"),
        ("石桥村二组王大林户的土地承包经营权确权登记资料", "石桥村二组王大森户的确权登记簿"),
        ("申请公开清环罚〔2023〕7号", "清环罚〔2023〕7号处罚决定的执行情况"),
        ("申请公开清政发〔2022〕7号", "按清政发〔2022〕7号的标准算，申请公开我村的补偿款发放名单"),
        ("磨盘山石灰岩矿采矿权挂牌出让公告", "磨盘山石灰岩矿采矿权挂牌出让成交结果公示"),
        ("《临川市国土空间总体规划（2021—2035年）》", "《关于临川市国土空间总体规划的批复》"),
        ("恒泰化工扩建项目环境影响报告书全本，不是批复", "恒泰化工扩建项目的环评批复"),
        ("青石镇上河村2023年低保名单", "青石镇下河村2023年低保名单"),
        ("2023年新核发药品经营许可证的药店名单", "2023年被注销药品经营许可证的药店名单"),
        ("妇幼保健院迁建项目可行性研究报告的批复", "妇幼保健院迁建项目初步设计及概算的批复"),
        ("县国土空间总体规划（2021—2035年）", "上枧村2021至2035年村庄规划"),
        ("本人王大林，申请公开我家的土地承包经营权确权登记资料", "石桥村二组王大森户的确权登记簿"),
        ("我已经拿到2022年度的医疗质量检查通报，现申请2023年度的", "2022年度医疗质量检查通报"),
        ("申请公开清督改发〔2022〕1号", "清督改发〔2022〕1号整改方案的完成进度"),
        ("2023年6月全市空气质量排名", "2023年上半年全市空气质量排名"),
        ("城南路北侧地块的土地出让合同", "城南路南侧地块的土地出让合同"),
        ("石岭村（青山镇，与东坪村相邻）2023年低保名单", "东坪村2023年低保名单"),
        (
            "本人张建国，申请公开我家的宅基地审批材料",
            "户主张建军的宅基地审批材料，我哥哥张建国也在这村",
        ),
        (
            "城西垃圾中转站建设项目可行性研究报告",
            "发改局同意城西垃圾中转站建设项目可行性研究报告并提出修改意见的批复",
        ),
        ("县卫健委2024年印发的2023年度医疗机构校验结果通报", "2024年度医疗机构校验结果通报"),
        ("市场监管局2023年第12号行政处罚决定书", "滨市监罚〔2023〕15号行政处罚决定书"),
        ("锦绣苑小区五栋电梯检验报告", "锦绣苑小区3号楼电梯检验报告"),
        ("纺织厂片区被征收人分户补偿结果，补偿方案我已经有了", "纺织厂片区房屋征收补偿方案"),
        ("2024年学区划分方案，想与2023年的作对比", "2023年学区划分方案"),
        ("华兴热电排污许可证", "华兴热电排污许可证2022年度执行报告"),
        ("新区二期项目下塘村的补偿款发放清单", "新区二期征地上塘村的补偿款发放明细"),
        (
            "2023年二季度就业补贴发放名单",
            "2023年7月至9月的就业补贴发放名单，二季度的名单我已在网站上下载",
        ),
        ("《青禾市养老服务补贴实施办法》", "《青禾市养老服务补贴实施办法（征求意见稿）》"),
        (
            "荻湾镇2024年防汛应急预案",
            "我们村属于栗塘乡，就在荻湾镇隔壁，请提供栗塘乡2024年的防汛应急预案",
        ),
        ("县就业补贴资金管理办法", "县就业补贴资金发放名单"),
        ("市殡仪馆收费标准", "县殡仪馆收费标准"),
        ("瑞丰化工危险化学品经营许可证", "瑞丰化工危险化学品经营许可的现场核查记录及审查意见"),
        ("韦某某的工伤认定决定书", "韦某某的劳动能力鉴定结论"),
        (
            "恒远停车管理有限公司的停车泊位经营委托协议",
            "恒远智慧停车科技有限公司的停车泊位经营委托协议",
        ),
        ("2024年公办小学学区划分", "2024年公办初中学区划分"),
        ("启航艺术培训学校的设立批复", "启帆文化培训学校的设立批复"),
        (
            "申请公开滨教发〔2023〕12号",
            "我已经有了2023年的招聘方案（滨教发〔2023〕12号），现申请公开2024年的教师招聘方案",
        ),
        ("顺安客运超员的行政处罚决定书", "顺安客运超员行政处罚的执行结果"),
        ("2023年全县交通事故统计", "石门村段交通事故多发点段的整治方案"),
    ],
)
def test_near_misses_are_different_information(a: str, b: str) -> None:
    assert match(features(a), features(b)) is None


def test_paraphrases_are_the_same_information() -> None:
    assert match(
        features("2023年第二季度食品安全监督抽检结果"), features("贵局2023年4月至6月食品抽检信息")
    )
    assert match(
        features("锦绣花园小区2期施工许可证"), features("锦绣花园二期项目的建筑工程施工许可证")
    )
    assert match(features("纺织机械厂搬迁补偿协议"), features("纺机厂搬迁的补偿协议"))
    assert match(
        features("凤鸣小学2024年学区划分方案"), features("凤鸣小学二〇二四年的学区划分方案")
    )


def test_this_year_and_last_year_are_read_from_when_the_request_was_received() -> None:
    plan_2024 = features("2024年度安全生产执法检查计划")
    assert match(features("今年的安全生产执法检查计划", year=2024), plan_2024)
    assert match(features("今年的安全生产执法检查计划", year=2025), plan_2024) is None
    assert match(features("去年的安全生产执法检查计划", year=2025), plan_2024)
    assert match(features("上一年度的安全生产执法检查计划", year=2026), plan_2024) is None
    assert match(
        features("今年上半年空气质量排名", year=2024), features("2024年1至6月空气质量排名")
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "城北污水处理厂2023年7月1日至9月30日出水在线监测数据",
            "城北污水处理厂二〇二三年七、八、九三个月的出水自动监控数据",
        ),
        (
            "2023年12月居民管道天然气价格调整听证会的听证报告",
            "23年12月民用燃气调价听证会的听证报告",
        ),
        ("金樨大道与涟滨路交叉口信号灯配时方案", "金樨大道涟滨路路口红绿灯配时方案"),
        ("我们泥湾村2022年的地力补贴发放名单", "沙湄乡泥湾村2022年度耕地地力保护补贴发放名单"),
        ("请提供甘办发〔2019〕18号", "依据条例申请获取甘办发（2019）第18号"),
        ("2023年上半年全市空气质量排名", "2023年1月至6月全市空气质量排名"),
        ("锦绣苑5栋电梯检验报告", "锦绣苑小区第五幢电梯的检验报告"),
        ("石岭村（青山镇，与东坪村相邻）2023年低保名单", "青山镇石岭村2023年低保名单"),
        ("宏泰烟花行政处罚的执行情况", "宏泰烟花行政处罚罚款的缴纳情况"),
        ("青禾市养老服务补贴实施办法（正式印发稿，非征求意见稿）", "青禾市养老服务补贴实施办法"),
        ("柳溪河2022年河道采砂许可决定", "柳溪河2022年河道采砂许可证"),
        ("凤鸣路口电子警察的设置点位", "凤鸣路口交通技术监控设备的设置点位"),
        (
            "泓安钜丰化工有限公司2023年三季度废气在线监测数据",
            "钜丰化工2023年7至9月废气在线监测数据",
        ),
    ],
)
def test_dates_short_forms_and_everyday_words_are_read_alike(a: str, b: str) -> None:
    assert match(features(a), features(b))
