"""The README is the project's front door: its first commands, its state diagram and CI must agree with the code."""

import re
import stat
from pathlib import Path

from django.conf import settings

from defects.management.commands import fsm_diagram

ROOT = Path(settings.BASE_DIR)
README = ROOT / "README.md"
SETUP_AND_RUN = "./scripts/dev"
TEST = "./scripts/test"


def command_lines(text: str) -> list[str]:
    """Command lines of the README's fenced shell blocks, in order, without comments."""
    lines = []
    for block in re.findall(r"^```(?:bash|sh|shell|console)?\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def test_readme_state_diagram_is_the_one_generated_from_the_code():
    text = README.read_text(encoding="utf-8")
    assert fsm_diagram.readme_block(text) == fsm_diagram.mermaid(), (
        "README's state diagram is stale: run `python manage.py fsm_diagram --write`"
    )


def test_generated_diagram_covers_every_transition_and_state():
    diagram = fsm_diagram.mermaid()
    assert diagram.startswith("```mermaid\nstateDiagram-v2\n")
    for name in ("request_return", "receive_sample", "start_investigation", "investigate_without_sample",
                 "submit_report", "reject_report", "approve_report", "ship_replacement", "close", "withdraw",
                 "close_without_delivery", "reopen", "adopt_report"):
        assert f": {name} (" in diagram
    assert "    [*] --> received\n" in diagram
    assert "    received --> awaiting_return: request_return (hotline)\n" in diagram
    # A closed case may be reopened (the consumer called again), so only withdrawn is final.
    assert "    investigating --> approved: adopt_report (qa_manager)\n" in diagram
    assert "    closed --> received: reopen (hotline)\n" in diagram and "    withdrawn --> [*]\n" in diagram


def test_fsm_diagram_write_replaces_only_the_marked_block(tmp_path):
    from django.core.management import call_command

    readme = tmp_path / "README.md"
    readme.write_text("# T\n\nbefore\n<!-- fsm:start -->\nold\n<!-- fsm:end -->\nafter\n", encoding="utf-8")
    call_command("fsm_diagram", "--write", "--readme", str(readme))
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# T\n\nbefore\n<!-- fsm:start -->\n```mermaid\n")
    assert text.endswith("```\n<!-- fsm:end -->\nafter\n")
    call_command("fsm_diagram", "--check", "--readme", str(readme))


def test_readme_starts_with_the_set_up_and_run_command_then_the_test_command():
    text = README.read_text(encoding="utf-8")
    assert command_lines(text)[:2] == [SETUP_AND_RUN, TEST]
    # ...right after the title and the one-line pitch.
    assert text.index(SETUP_AND_RUN) < text.index("\n## ")


def test_the_readme_commands_exist_and_are_executable():
    for command in (SETUP_AND_RUN, TEST):
        path = ROOT / command
        assert path.is_file(), command
        assert path.stat().st_mode & stat.S_IXUSR, f"{command} is not executable"
        assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_ci_runs_the_readme_test_command():
    ci = ROOT / ".ci" / "run"
    assert ci.stat().st_mode & stat.S_IXUSR
    calls = [line.split() for line in ci.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    assert any(TEST in words for words in calls), f".ci/run must call {TEST}"
