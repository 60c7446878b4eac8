"""Form rules shared by the pages and the API."""

from defects.forms import ContactForm


def test_a_follow_up_owner_given_by_username_is_cleaned_to_the_user(cast):
    # CleanTextForm used to run its control-character check on the cleaned user object and crash.
    form = ContactForm(data={"channel": "phone", "direction": "outbound", "summary": "promised a call back",
                             "follow_up_due": "2026-11-24T10:00", "follow_up_owner": "hotline"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["follow_up_owner"] == cast["hotline"]


def test_control_characters_are_still_refused_in_text(cast):
    form = ContactForm(data={"channel": "phone", "direction": "outbound", "summary": "bad\x07bell"})
    assert not form.is_valid() and "summary" in form.errors


def test_search_finds_a_formatted_phone_by_its_digits(make_case, cast):
    from defects import selectors

    case = make_case(consumer_phone="０９２５５５０１２３")
    assert case.consumer.phone == "092-555-0123"
    for q in ("0925550123", "092-555-0123", "5550123"):
        assert list(selectors.search(selectors.cases_for(cast["hotline"]), cast["hotline"], q)) == [case], q
    assert list(selectors.search(selectors.cases_for(cast["qa_kyu"]), cast["qa_kyu"], "0925550123")) == []
