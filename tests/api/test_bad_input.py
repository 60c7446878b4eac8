"""Bad input answers 400 naming the field, changes nothing, and never becomes a 500."""

import pytest

from defects.models import DefectCase, State
from tests.api.conftest import case_body, case_url
from tests.conftest import COMPLETE_REPORT, print_letters


def without(key):
    def mutate(body):
        if "." in key:
            outer, inner = key.split(".")
            body[outer].pop(inner)
        else:
            body.pop(key)
        return body
    return mutate


def setting(key, value):
    def mutate(body):
        if "." in key:
            outer, inner = key.split(".")
            body[outer][inner] = value
        else:
            body[key] = value
        return body
    return mutate


INTAKE_CASES = [
    # (label, how the good body is spoiled, where the answer must name the problem)
    *[(f"missing {k}", without(k), k) for k in
      ("channel", "product", "category", "description", "consumer", "consumer.name")],
    ("unknown product", setting("product", "NO-SUCH-GUM"), "product"),
    ("unknown factory", setting("factory", "ZZZ"), "factory"),
    ("10,000-character name", setting("consumer.name", "蒼" * 10_000), "consumer.name"),
    ("NUL in name", setting("consumer.name", "蒼井\x00紫苑"), "consumer.name"),
    ("BEL in name", setting("consumer.name", "蒼井\x07紫苑"), "consumer.name"),
    ("NUL in description", setting("description", "torn\x00wrapper"), "description"),
    ("BEL in description", setting("description", "torn\x07wrapper"), "description"),
    ("30 February", setting("best_before", "2026-02-30"), "best_before"),
    ("'yesterday'", setting("purchased_on", "yesterday"), "purchased_on"),
    ("health_effect 'maybe'", setting("health_effect", "maybe"), "health_effect"),
    ("consumer as a string", setting("consumer", "蒼井 紫苑"), "consumer"),
    ("consumer as a list", setting("consumer", ["蒼井 紫苑"]), "consumer"),
    ("description as an object", setting("description", {"text": "torn"}), "description"),
    ("product as a list", setting("product", ["GUM-MINT-9"]), "product"),
    ("unknown channel", setting("channel", "fax"), "channel"),
    ("unknown category", setting("category", "aliens"), "category"),
    ("unknown language", setting("consumer.language", "fr"), "consumer.language"),
    ("short postal code", setting("consumer.postal_code", "810"), "consumer.postal_code"),
    ("not an e-mail", setting("consumer.email", "shion at example"), "consumer.email"),
    ("letters in phone", setting("consumer.phone", "call me maybe"), "consumer.phone"),
    ("no way back to the consumer",
     lambda body: {**body, "consumer": {**body["consumer"], "phone": "", "email": "", "address": ""}},
     "consumer.phone"),
    ("blank name", setting("consumer.name", "   "), "consumer.name"),
    ("null description", setting("description", None), "description"),
]


def named(errors: dict, path: str) -> bool:
    node = errors
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return bool(node)


@pytest.mark.parametrize("label,spoil,field", INTAKE_CASES, ids=[c[0] for c in INTAKE_CASES])
def test_bad_intake_answers_400_naming_the_field(api, gum, label, spoil, field):
    response = api("hotline").post("/api/cases/", spoil(case_body(gum)), format="json")
    assert response.status_code == 400, response.content
    assert named(response.json(), field), response.json()
    assert not DefectCase.objects.exists()


@pytest.mark.parametrize("body,content_type", [
    ('[{"channel": "phone"}]', "application/json"),
    ("{not json", "application/json"),
    ('"just a string"', "application/json"),
    ("", "application/json"),
    ("\x00\x07", "application/json"),
    ("channel=phone&consumer=x", "application/x-www-form-urlencoded"),
])
def test_bodies_that_are_not_an_object_answer_400(api, gum, body, content_type):
    response = api("hotline").post("/api/cases/", body, content_type=content_type)
    assert response.status_code == 400, response.content
    assert not DefectCase.objects.exists()


def test_a_good_body_still_opens_a_case(api, gum):
    # The control for the cases above: the unspoiled body is accepted.
    assert api("hotline").post("/api/cases/", case_body(gum), format="json").status_code == 201


TRANSITION_CASES = [
    ("withdraw", State.RECEIVED, {}, "reason"),
    ("withdraw", State.RECEIVED, {"reason": "   "}, "reason"),
    ("withdraw", State.RECEIVED, {"reason": ["no", "list"]}, "reason"),
    ("withdraw", State.RECEIVED, {"reason": {"a": 1}}, "reason"),
    ("withdraw", State.RECEIVED, {"reason": "x" * 10_000}, "reason"),
    ("investigate_without_sample", State.RECEIVED, {"reason": "bad\x00byte"}, "reason"),
    ("investigate_without_sample", State.RECEIVED, {"reason": "bell\x07"}, "reason"),
    ("request_return", State.RECEIVED, {"carrier": "dhl"}, "carrier"),
    ("ship_replacement", State.APPROVED, {"carrier": "dhl", "tracking_number": "123456789012"}, "carrier"),
    ("ship_replacement", State.APPROVED, {"carrier": "yamato", "tracking_number": "abc"}, "tracking_number"),
    ("ship_replacement", State.APPROVED, {"carrier": "yamato"}, "tracking_number"),
    ("ship_replacement", State.APPROVED, {"carrier": True, "tracking_number": "123456789012"}, "carrier"),
    ("reject_report", State.REPORT_REVIEW, {"comment": ""}, "comment"),
    ("reject_report", State.REPORT_REVIEW, ["explain the escape"], "non_field_errors"),
]
WHO = {"withdraw": "hotline", "investigate_without_sample": "hotline", "request_return": "hotline",
       "ship_replacement": "mailroom", "reject_report": "qa_manager"}


@pytest.mark.parametrize("name,state,payload,field", TRANSITION_CASES)
def test_bad_transition_payload_answers_400_naming_the_field(make_case, cast, api, name, state, payload, field):
    case = make_case(state)
    if name == "ship_replacement":
        print_letters(case, cast["mailroom"])  # else the parcel is not ready to leave (409) whatever the payload
    events = case.events.count()
    response = api(WHO[name]).post(case_url(case, "transitions", name), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    case.refresh_from_db()
    assert (case.state, case.events.count()) == (state, events)


@pytest.mark.parametrize("body", ["{oops", "\x00"])
def test_transition_with_a_non_json_body_answers_400(make_case, api, body):
    case = make_case()
    response = api("hotline").post(case_url(case, "transitions", "withdraw"), body, content_type="application/json")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == State.RECEIVED


def test_submitting_an_incomplete_report_names_the_missing_parts(make_case, api):
    case = make_case(State.INVESTIGATING)
    report = {k: v for k, v in COMPLETE_REPORT.items() if k != "manufacturing_process"}
    report["countermeasures"] = [m for m in COMPLETE_REPORT["countermeasures"] if m["target"] == "occurrence"]
    api("qa_kyu").put(case_url(case, "investigation"), report, format="json")
    response = api("qa_kyu").post(case_url(case, "transitions", "submit_report"), {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"manufacturing_process", "countermeasures_escape"}
    case.refresh_from_db()
    assert case.state == State.INVESTIGATING


@pytest.mark.parametrize("payload,field", [
    ({"channel": "phone", "direction": "outbound"}, "summary"),
    ({"channel": "fax", "direction": "outbound", "summary": "x"}, "channel"),
    ({"channel": "phone", "direction": "outbound", "summary": "x", "follow_up_due": "2026-11-24T10:00"},
     "follow_up_owner"),
    ({"channel": "phone", "direction": "outbound", "summary": "x", "follow_up_due": "tomorrow",
      "follow_up_owner": "hotline"}, "follow_up_due"),
    ({"channel": "phone", "direction": "outbound", "summary": "x", "follow_up_due": "2026-11-24T10:00",
      "follow_up_owner": "nobody"}, "follow_up_owner"),
    ({"channel": "phone", "direction": "outbound", "summary": "bell\x07"}, "summary"),
])
def test_bad_contact_answers_400_naming_the_field(make_case, api, payload, field):
    case = make_case()
    response = api("hotline").post(case_url(case, "contacts"), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert case.contacts.count() == 1  # only the intake call


@pytest.mark.parametrize("payload,field", [
    ({"prevention": "bell\x07"}, "prevention"),
    ({"prevention": "nul\x00"}, "prevention"),
    ({"cause_of_occurrence": ["a", "b"]}, "cause_of_occurrence"),
    (["not an object"], "non_field_errors"),
])
def test_bad_investigation_answers_400_naming_the_field(make_case, api, payload, field):
    case = make_case(State.INVESTIGATING)
    response = api("qa_kyu").put(case_url(case, "investigation"), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize("query", [{"state": "nope"}, {"q": "a\x00b"}, {"category": "aliens"},
                                   {"factory": "K" * 100}, {"q": "x" * 1000}])
def test_bad_list_filters_answer_400(api, make_case, query):
    make_case()
    assert api("hotline").get("/api/cases/", query).status_code == 400


@pytest.mark.parametrize("path", ["/api/cases/D-2026-000001%00/", "/api/cases/%E8%92%BC/", "/api/cases/../"])
def test_odd_references_are_404_not_500(api, make_case, path):
    make_case()
    assert api("hotline").get(path).status_code == 404


# --- nesting, anywhere --------------------------------------------------------------------------

def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/cases/", "/api/print-batches/"])
@pytest.mark.parametrize("depth", [33, 5_000, 100_000])
def test_json_nested_too_deep_answers_400_even_unauthenticated(client, path, depth):
    response = client.post(path, nested(depth), content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["code"] == "json_too_deep"


def test_json_nested_within_the_limit_reaches_the_view(client):
    response = client.post("/api/auth/token/", '{"username": [[["x"]]], "password": "y"}',
                           content_type="application/json")
    assert response.status_code == 400 and response.json().get("code") != "json_too_deep"


def test_the_nesting_message_is_in_the_readers_language(client):
    response = client.post("/api/cases/", nested(50), content_type="application/json", HTTP_ACCEPT_LANGUAGE="ja")
    assert "階層" in response.json()["detail"]
