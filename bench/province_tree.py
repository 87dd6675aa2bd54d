"""A province's agencies as a three-level tree (province → prefectures/cities and provincial
departments → counties and city departments): what its roll-up reports run over, and the TOML
the services read it from (OGI_AGENCIES_FILE)."""

from __future__ import annotations

from pathlib import Path

from ogi.agencies import Agency, AgencyDirectory

PROVINCE = "PROV"
CITIES = 16  # prefectures and cities of a middle-sized province


def province_directory(agencies: int = 1000) -> AgencyDirectory:
    """`agencies` agencies in all: the provincial government, its cities and some 4% provincial
    departments on the second level, and the counties and city departments under the cities."""
    if agencies < 6:
        raise ValueError("a province of three levels needs at least 6 agencies")
    cities = min(CITIES, max(2, agencies // 60))
    departments = max(1, round(agencies * 0.04))
    leaves = agencies - 1 - cities - departments
    tree = [Agency(PROVINCE, "某省人民政府", "")]
    tree += [Agency(f"PD{n:03d}", f"省直部门{_zh(n)}", PROVINCE) for n in range(1, departments + 1)]
    tree += [Agency(f"C{n:02d}", f"{_zh(n)}市人民政府", PROVINCE) for n in range(1, cities + 1)]
    tree += [
        Agency(
            f"C{1 + n % cities:02d}X{n:04d}", f"县区或市直部门{_zh(n)}", f"C{1 + n % cities:02d}"
        )
        for n in range(leaves)
    ]
    return AgencyDirectory(tree)


def _zh(n: int) -> str:
    """A number in Chinese digits: agency names become document number prefixes (菏民政公复),
    which may hold no Arabic digits."""
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))


def depth(directory: AgencyDirectory, code: str) -> int:
    """1 for the province, 2 for what is directly under it, 3 below that."""
    agency, levels = directory.get(code), 0
    while agency is not None:
        levels += 1
        agency = directory.get(agency.parent_code) if agency.parent_code else None
    return levels


def write_toml(directory: AgencyDirectory, path: Path) -> Path:
    """The directory in the agencies file format (ogi/agencies.py: [[agency]] tables)."""
    lines = []
    for agency in directory:
        lines += ["[[agency]]", f'code = "{agency.code}"', f'name = "{agency.name}"']
        if agency.parent_code:
            lines.append(f'parent = "{agency.parent_code}"')
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
