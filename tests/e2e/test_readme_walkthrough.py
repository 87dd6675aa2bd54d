"""The README's walk-through, run as written (issue 16, item 15): every block marked
`<!-- walkthrough -->` is taken in order into one bash session with `set -euo pipefail` and run
against the embedded launcher on free ports, from a folder where `.venv/bin/ogi` is the project's
CLI. A command the README shows that the system refuses fails this test."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.launcher import embedded_env, launch

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- walkthrough -->"
BLOCK = re.compile(re.escape(MARKER) + r"\s*```sh\n(.*?)```", re.DOTALL)


def walkthrough(readme: str) -> list[str]:
    """The marked blocks of the README, in order."""
    return BLOCK.findall(readme)


@pytest.mark.timeout(600)  # some forty CLI processes, each a Python start
def test_the_readmes_walkthrough_is_a_script_that_runs(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = walkthrough(readme)
    assert len(blocks) == readme.count(MARKER) >= 5, "every marker introduces a sh block"
    assert "…" not in "".join(blocks), "a walk-through command must be complete"
    script = tmp_path / "walkthrough.sh"
    script.write_text("set -euo pipefail\n" + "\n".join(blocks), encoding="utf-8")
    # `.venv/bin/ogi` as the README writes it: the CLI of the interpreter running the tests.
    work = tmp_path / "work"
    (work / ".venv" / "bin").mkdir(parents=True)
    (work / ".venv" / "bin" / "ogi").symlink_to(Path(sys.executable).parent / "ogi")
    env = embedded_env(tmp_path)
    launcher, _ = launch("ogi.embedded", env)
    try:
        cli_env = env | {
            f"OGI_{name}_ADDR": env[f"OGI_{name}_LISTEN"]
            for name in ("INTAKE", "HANDLING", "ARCHIVE")
        }
        ran = subprocess.run(
            ["bash", str(script)],
            cwd=work,
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=480,
            check=False,
        )
    finally:
        launcher.send_signal(signal.SIGINT)
        launcher.communicate(timeout=30)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    out = ran.stdout
    assert "部分公开" in out  # the applicant sees the reply by its name
    assert "撤回日期 Withdrawn on" in out
    assert "83460" in out  # the fee by the fee rules
    assert (work / "菏泽.xlsx").stat().st_size > 0
    assert "一、总体情况" in (work / "report.html").read_text(encoding="utf-8")
