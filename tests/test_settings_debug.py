"""DEBUG is off unless asked for; ./scripts/dev asks for it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    code = "import config.settings as s; print(s.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=60)


def test_debug_is_off_by_default_and_then_a_secret_key_is_required():
    assert _settings(SECRET_KEY="k" * 50).stdout.strip() == "False"
    refused = _settings()
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr


def test_debug_is_on_only_when_the_environment_says_so():
    assert _settings(DEBUG="1").stdout.strip() == "True"
    assert _settings(DEBUG="0", SECRET_KEY="k" * 50).stdout.strip() == "False"


def test_scripts_dev_runs_the_demo_with_debug():
    script = (ROOT / "scripts" / "dev").read_text()
    assert 'export DEBUG="${DEBUG:-1}"' in script
    assert script.index('export DEBUG="${DEBUG:-1}"') < script.index("manage.py migrate")


def test_the_tests_run_with_debug_off(settings):
    assert settings.DEBUG is False


def test_offline_tooling_runs_without_a_secret_key():
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                          env=clean, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    served = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True,
                            text=True, timeout=120)
    assert served.returncode != 0 and "SECRET_KEY must be set" in served.stderr
