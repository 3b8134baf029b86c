"""Start-up with wrong settings stops with one clear line; production settings pass --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean_env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "TASKS_BACKEND",
            # set by the browser tests for Playwright's event loop; never in deployment
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"DATABASE_URL": "mysqlish://nowhere"}, "DATABASE_URL"),
        ({"DATABASE_URL": "oracle://u:p@host/db"}, "unsupported database"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"TASKS_BACKEND": "celery"}, "TASKS_BACKEND must be one of"),
    ],
)
def test_wrong_settings_stop_start_up_with_one_clear_line(env, expected):
    result = run_manage("check", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Convene configuration error:")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_production_settings_pass_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "production-secret-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="congress.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
