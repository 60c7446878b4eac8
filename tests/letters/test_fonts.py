"""Every PDF embeds subsets of our own fonts and nothing else."""

import re

import pytest

from letters.pdf import render_one

from . import samples
from .helpers import open_pdf, run_tool

KINDS = [("first_notice_postcard", samples.postcard), ("apology_letter", samples.apology_en),
         ("return_kit", samples.return_kit), ("packing_slip", samples.packing_slip)]


@pytest.mark.parametrize("kind,factory", KINDS)
def test_fonts_embedded_and_subset_pdfminer(kind, factory):
    pdf = render_one(kind, factory())
    with open_pdf(pdf) as doc:
        names = {c["fontname"] for page in doc.pages for c in page.chars}
    assert names
    for name in names:
        assert re.fullmatch(r"[A-Z]{6}\+Hitotsubu-(Mincho|Gothic)", name), name


@pytest.mark.parametrize("kind,factory", KINDS)
def test_pdffonts_shows_only_embedded_subsets(kind, factory, tmp_path):
    """Needs poppler-utils (apt-get install -y poppler-utils); skipped without it."""
    path = tmp_path / "x.pdf"
    path.write_bytes(render_one(kind, factory()))
    lines = run_tool("pdffonts", str(path)).splitlines()[2:]
    assert lines
    for line in lines:
        cols = line.split()
        name, emb, sub = cols[0], cols[-5], cols[-4]
        assert re.fullmatch(r"[A-Z]{6}\+Hitotsubu-(Mincho|Gothic)", name), line
        assert (emb, sub) == ("yes", "yes"), line


def test_rendering_does_not_depend_on_host_fonts(tmp_path):
    """Render in a child process that sees no system fonts at all: same text, same fonts."""
    import os
    import subprocess
    import sys

    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    out = tmp_path / "card.pdf"
    code = ("import django; django.setup();"
            "from letters.pdf import render_one; from tests.letters import samples;"
            f"open({str(out)!r}, 'wb').write(render_one('first_notice_postcard', samples.postcard()))")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "DJANGO_SETTINGS_MODULE": "config.settings"}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True, timeout=120,
                   capture_output=True)
    with open_pdf(out.read_bytes()) as doc:
        names = {c["fontname"].split("+")[1] for p in doc.pages for c in p.chars}
        text = doc.pages[1].extract_text()
    assert names == {"Hitotsubu-Mincho", "Hitotsubu-Gothic"}
    assert "着払い" in text
