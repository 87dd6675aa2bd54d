"""`make run`'s launcher and the `ogi` CLI, used the way the README tells a newcomer to."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from ogi.messaging.nats_server import free_port
from tests.e2e.launcher import launch

OGI = str(Path(sys.executable).parent / "ogi")


def test_embedded_mode_serves_the_cli_and_stops_cleanly(tmp_path: Path) -> None:
    listen = f"127.0.0.1:{free_port()}"
    handling = f"127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OGI_")} | {
        "OGI_DATA_DIR": str(tmp_path / "data"),
        "OGI_INTAKE_LISTEN": listen,
        "OGI_HANDLING_LISTEN": handling,
    }
    launcher, lines = launch("ogi.embedded", env)
    try:
        assert any(listen in line for line in lines)

        def ogi(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [OGI, "--server", listen, *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
                env=env,
            )

        applied = ogi(
            "apply",
            "--agency",
            "HZZRZYJ",
            "--name",
            "菏泽某律师事务所",
            "--category",
            "legal_service_organization",
            "--id-type",
            "unified_social_credit_code",
            "--id-number",
            "91350100M000100Y43",
            "--contact-person",
            "王五",
            "--email",
            "law@example.cn",
            "--form",
            "electronic",
            "--route",
            "email",
            "--description",
            "《菏泽市国土空间总体规划（2021-2035年）》批复文件",
        )
        assert applied.returncode == 0, applied.stderr
        number = re.search(r"HZZRZYJ-\d{4}-\d{6}", applied.stdout)
        code = re.search(r"Query code: (\S+)", applied.stdout)
        assert number, applied.stdout
        assert code, applied.stdout
        status = ogi("status", number.group(), "--code", code.group(1))
        assert status.returncode == 0, status.stderr
        assert "已收到 received" in status.stdout
        assert "菏泽市自然资源和规划局" in status.stdout

        token = ogi("token", "--agency", "HZZRZYJ", "--role", "handler", "--subject", "李四")
        assert token.returncode == 0, token.stderr

        def cases(*args: str) -> subprocess.CompletedProcess[str]:
            return ogi("cases", "--handling", handling, "--token", token.stdout.strip(), *args)

        started = time.monotonic()
        while number.group() not in (listed := cases("list")).stdout:
            assert time.monotonic() - started < 30, listed
            time.sleep(0.2)
        assert "审核中 registered" in listed.stdout
        asked = cases("request-correction", number.group(), "--item", "写明批复文件的文号")
        assert asked.returncode == 0, asked.stderr
        assert "补正期限 correction" in asked.stdout
        assert "CorrectionRequested" in asked.stdout
        while (
            "待补正"
            not in (status := ogi("status", number.group(), "--code", code.group(1))).stdout
        ):
            assert time.monotonic() - started < 60, status
            time.sleep(0.2)
        assert "写明批复文件的文号" in status.stdout
        shown = cases("show", number.group())
        assert "李四" in shown.stdout
        extended = cases("extend", number.group(), "--days", "5")
        assert extended.returncode == 1
        assert "PERMISSION_DENIED" in extended.stderr

        refused = ogi(
            "apply",
            "--agency",
            "HZZRZYJ",
            "--name",
            "张三",
            "--id-number",
            "110105194912310021",
            "--phone",
            "13800138000",
            "--description",
            "x",
        )
        assert refused.returncode == 1
        assert "INVALID_ARGUMENT" in refused.stderr
        assert "applicant.identity_document.number" in refused.stderr
    finally:
        launcher.send_signal(signal.SIGINT)
        output, _ = launcher.communicate(timeout=30)
    assert launcher.returncode == 0
    assert output.strip().endswith("stopped.")
