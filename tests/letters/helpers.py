"""Reading rendered PDFs back: pdfplumber works in points, the domain in mm."""

import io
import shutil
import subprocess

import pdfplumber
import pytest

PT_TO_MM = 25.4 / 72


def mm(points: float) -> float:
    return points * PT_TO_MM


def open_pdf(data: bytes):
    return pdfplumber.open(io.BytesIO(data))


def page_text(data: bytes) -> str:
    with open_pdf(data) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def chars_of(page, predicate=lambda c: True):
    return [c for c in page.chars if c["text"].strip() and predicate(c)]


def columns(chars, tolerance_mm=0.3):
    """Group characters into vertical columns by x; columns right to left,
    characters top to bottom. Returns [(x_mm, text, [chars])]."""
    cols = []
    for c in sorted(chars, key=lambda c: -c["x0"]):
        for col in cols:
            if abs(mm(col[0]) - mm(c["x0"])) <= tolerance_mm:
                col[2].append(c)
                break
        else:
            cols.append([c["x0"], "", [c]])
    out = []
    for x, _, cs in cols:
        cs.sort(key=lambda c: c["top"])
        out.append((mm(x), "".join(c["text"] for c in cs), cs))
    return out


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} not found: install poppler-utils (apt-get install -y poppler-utils)")
    return path


def run_tool(name: str, *args) -> str:
    return subprocess.run([require_tool(name), *args], check=True, capture_output=True,
                          text=True, timeout=60).stdout
