"""Helpers shared by the page tests: pages as text, report POST data, images."""

import html
import io

from PIL import Image

from tests.conftest import COMPLETE_REPORT


def text(response) -> str:
    """The page with HTML entities undone, so a label with an apostrophe matches."""
    return html.unescape(response.content.decode())


def report_post(report=None, *, add_row=False) -> dict:
    """The investigation page's POST for a report dict (COMPLETE_REPORT's shape)."""
    report = dict(report or COMPLETE_REPORT)
    data = {}
    for name, value in report.items():
        if name.endswith("_whys"):
            for index, row in enumerate(value):
                data[f"{name}-{index}-why"] = row.get("why", "")
                data[f"{name}-{index}-because"] = row.get("because", "")
        elif name == "countermeasures":
            data["countermeasures-TOTAL_FORMS"] = str(len(value))
            data["countermeasures-INITIAL_FORMS"] = str(len(value))
            for index, row in enumerate(value):
                for key, item in row.items():
                    data[f"countermeasures-{index}-{key}"] = item
        else:
            data[name] = "" if value is None else value
    if add_row:
        data["add_row"] = "1"
    return data


def image_bytes(fmt="PNG", size=(40, 30), noise=False) -> bytes:
    buffer = io.BytesIO()
    if noise:
        import os

        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 30))
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def full_width(text_: str) -> str:
    """'AB12-CD' -> 'ＡＢ１２ーＣＤ' as a Japanese keyboard types it."""
    return "".join("ー" if ch == "-" else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text_)
