"""``scopeguard demo`` and the command dispatcher, run as a user would."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys

from scopeguard import _cli, _demo


def test_demo_runs_every_check_and_reports() -> None:
    out = io.StringIO()
    assert _demo.run(out) is True
    text = out.getvalue()
    assert "t-acme-orders" in text and "t-globex-orders" in text
    assert "AssumeRole called 2 time(s)" in text
    if importlib.util.find_spec("aiobotocore") is None:
        assert "skipped: pip install 'scopeguard[async]'" in text
        assert text.count("0 request(s) reached the emulator") == 5
        assert "8 checks, all checks held" in text
    else:
        assert "10 concurrent tasks of two tenants each read their own item" in text
        assert text.count("0 request(s) reached the emulator") == 6
        assert "10 checks, all checks held" in text


def test_demo_command_exits_zero_and_prints_no_server_noise() -> None:
    done = subprocess.run([sys.executable, "-m", "scopeguard", "demo"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "all checks held" in done.stdout
    assert "HTTP/1.1" not in done.stderr


def test_cli_usage_and_unknown_command(capsys: object) -> None:
    assert _cli.main(["--help"]) == 0
    assert _cli.main([]) == 2
    assert _cli.main(["frobnicate"]) == 2
