"""Print the case's state machine as a Mermaid diagram, read from DefectCase's transitions.

    python manage.py fsm_diagram            # print the ```mermaid block
    python manage.py fsm_diagram --write    # replace the block in README.md between the markers
    python manage.py fsm_diagram --check    # exit 1 if README.md's block is not the generated one

Each arrow is labelled with the transition's name and who may run it (the name of its
`permission=` callable in defects.roles, with `_or_` read as "or").
"""

import inspect
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from defects.models import DefectCase, State

START_MARKER = "<!-- fsm:start -->"
END_MARKER = "<!-- fsm:end -->"


def _who(permission) -> str:
    if permission is None:
        return "anyone"
    if callable(permission):
        return getattr(permission, "__name__", repr(permission)).replace("_or_", " or ")
    return str(permission)


def _expand(source, states):
    if source == "*":
        return list(states)
    if source == "+":
        return list(states)
    return [source]


def _declared_at(name: str) -> int:
    method = inspect.unwrap(getattr(DefectCase, name))
    code = getattr(method, "__code__", None)
    return code.co_firstlineno if code else 0


def transitions():
    """(source, target, name, who) for every transition of DefectCase.state, in a stable order."""
    field = DefectCase._meta.get_field("state")
    states = [s.value for s in State]
    order = {s: i for i, s in enumerate(states)}
    # Transitions in the order the model declares them.
    line = {t.name: _declared_at(t.name) for t in field.get_all_transitions(DefectCase)}
    rows = set()
    for t in field.get_all_transitions(DefectCase):
        for source in _expand(t.source, states):
            target = t.target
            if target is None or (t.source == "+" and source == target):
                continue
            rows.add((str(source), str(target), t.name, _who(t.permission)))
    return sorted(rows, key=lambda r: (order.get(r[0], 99), line[r[2]], r[2], order.get(r[1], 99)))


def mermaid() -> str:
    field = DefectCase._meta.get_field("state")
    rows = transitions()
    used = {r[0] for r in rows} | {r[1] for r in rows}
    with translation.override("en"):
        labels = {s.value: str(s.label) for s in State if s.value in used}
    lines = ["```mermaid", "stateDiagram-v2"]
    for value, label in labels.items():
        lines.append(f'    state "{label}" as {value}')
    lines.append(f"    [*] --> {field.get_default()}")
    for source, target, name, who in rows:
        lines.append(f"    {source} --> {target}: {name} ({who})")
    with_exit = {r[0] for r in rows}
    for value in labels:
        if value not in with_exit:
            lines.append(f"    {value} --> [*]")
    lines.append("```")
    return "\n".join(lines) + "\n"


def readme_block(text: str) -> str:
    """The text between the markers of a README, or raise ValueError."""
    start = text.find(START_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"README has no {START_MARKER} ... {END_MARKER} block")
    return text[start + len(START_MARKER):end].strip("\n") + "\n"


def replace_block(text: str, block: str) -> str:
    readme_block(text)  # raises when the markers are missing
    start = text.find(START_MARKER) + len(START_MARKER)
    end = text.find(END_MARKER)
    return text[:start] + "\n" + block + text[end:]


class Command(BaseCommand):
    help = "Print DefectCase's state machine as a Mermaid stateDiagram-v2 (--write puts it into README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="replace the block between the markers in README.md")
        parser.add_argument("--check", action="store_true", help="fail if README.md's block differs")
        parser.add_argument("--readme", default=str(Path(settings.BASE_DIR) / "README.md"))

    def handle(self, *args, **options):
        block = mermaid()
        if not (options["write"] or options["check"]):
            self.stdout.write(block, ending="")
            return
        path = Path(options["readme"])
        text = path.read_text(encoding="utf-8")
        try:
            current = readme_block(text)
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        if options["check"]:
            if current != block:
                raise CommandError(f"{path}: the state diagram is stale; run `python manage.py fsm_diagram --write`.")
            self.stdout.write(f"{path}: state diagram is up to date.")
            return
        if current != block:
            path.write_text(replace_block(text, block), encoding="utf-8")
            self.stdout.write(f"{path}: state diagram written.")
        else:
            self.stdout.write(f"{path}: state diagram already up to date.")
