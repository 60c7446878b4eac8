"""check_letter: placeholders, empty values and sections, consumer-blaming wording."""

from letters.pdf import check_letter, render_html

from . import samples


def test_good_letters_pass():
    assert check_letter("first_notice_postcard", samples.postcard()) == []
    assert check_letter("apology_letter", samples.apology()) == []
    assert check_letter("apology_letter", samples.apology_en()) == []
    assert check_letter("apology_letter", samples.apology(summary=samples.SUMMARY_NOT_DETERMINED)) == []
    assert check_letter("return_kit", samples.return_kit()) == []
    assert check_letter("packing_slip", samples.packing_slip()) == []


def test_placeholders_flagged():
    summary = {**samples.SUMMARY, "cause_escape": "{{ cause_escape }}",
               "prevention": "TODO: ask the line manager [[measures]]"}
    problems = check_letter("apology_letter", samples.apology(summary=summary))
    text = " ".join(problems)
    assert "'{{'" in text and "'[['" in text and "'TODO'" in text


def test_placeholder_in_rendered_html():
    html = render_html("apology_letter", samples.apology()).replace("敬具", "{{ closing }} 敬具")
    assert any("'{{'" in p for p in check_letter("apology_letter", html))


def test_empty_values_and_sections_flagged():
    summary = {**samples.SUMMARY, "cause_occurrence": "  ", "prevention": ""}
    ctx = samples.apology(summary=summary, factory={**samples.FACTORY, "responsible": ""})
    problems = check_letter("apology_letter", ctx)
    assert "missing value: summary.cause_occurrence" in problems
    assert "missing value: summary.prevention" in problems
    assert "missing value: factory.responsible" in problems
    assert "empty section 'cause_occurrence'" in problems
    postcard = samples.postcard(reference="", consumer={**samples.CONSUMER, "postal_code": "81"})
    problems = check_letter("first_notice_postcard", postcard)
    assert "missing value: reference" in problems
    assert any("postal code" in p for p in problems)


def test_none_printed_is_a_placeholder():
    ctx = samples.apology(summary={**samples.SUMMARY, "defect": None, "findings": None})
    assert check_letter("apology_letter", ctx) == []  # None values are dropped, not printed
    html = render_html("apology_letter", samples.apology()).replace("敬具", "None 敬具")
    assert any("None" in p for p in check_letter("apology_letter", html))


def test_blaming_wording_flagged_in_both_languages():
    summary = {**samples.SUMMARY_NOT_DETERMINED,
               "findings": "お客様の保管状況による可能性があり、お客様の不注意とも考えられます。"}
    problems = check_letter("apology_letter", samples.apology(summary=summary))
    assert any("保管" in p for p in problems) and any("不注意" in p for p in problems)
    summary_en = {**samples.SUMMARY_EN, "cause_occurrence": "Improper storage. You should have kept it cool."}
    problems = check_letter("apology_letter", samples.apology_en(summary=summary_en))
    assert any("you should have" in p for p in problems) and any("storage" in p for p in problems)


def test_blaming_phrases_come_from_settings(settings):
    settings.HITOTSUBU_BLAMING_PHRASES = ["ローラー"]
    problems = check_letter("apology_letter", samples.apology())
    assert problems == ["wording that may blame the consumer: 'ローラー'"]
