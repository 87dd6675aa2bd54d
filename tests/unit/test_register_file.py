"""Reading an agency's 发文目录 file for `ogi register import` (no service needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ogi.cli.register import Row, read_rows


def test_a_csv_saved_by_wps_in_gb18030_is_read_from_below_its_header(tmp_path: Path) -> None:
    path = tmp_path / "目录.csv"
    text = "发文目录（2024年）\n标题,文号,备注\n关于调整城乡低保标准的通知,菏民发〔2024〕3号,\n,,\n"
    path.write_bytes(text.encode("gb18030"))
    assert read_rows(path) == [Row(3, "菏民发〔2024〕3号", "关于调整城乡低保标准的通知")]


def test_a_file_without_a_number_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "目录.csv"
    path.write_text("序号,标题\n1,关于调整城乡低保标准的通知\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="文号"):
        read_rows(path)
