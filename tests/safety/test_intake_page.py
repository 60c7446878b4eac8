"""The intake page asks for the triage fields and opens a critical case from them."""

from defects.models import DefectCase
from tests.conftest import intake_data


def test_intake_page_shows_and_takes_the_triage_fields(cast, gum, client):
    client.force_login(cast["hotline"])
    page = client.get("/cases/new/").content.decode()
    for name in ("hazard", "foreign_matter_kind", "undeclared_allergen"):
        assert f'name="{name}"' in page
    answer = client.post("/cases/new/", intake_data(gum, category="foreign_matter", foreign_matter_kind="hard_plastic"))
    assert answer.status_code == 302
    case = DefectCase.objects.get()
    assert (case.severity, case.foreign_matter_kind, case.hazard) == ("critical", "hard_plastic", "none")


def test_intake_page_names_the_misplaced_field(cast, gum, client):
    client.force_login(cast["hotline"])
    answer = client.post("/cases/new/", intake_data(gum, category="taste_odor", foreign_matter_kind="insect"))
    assert answer.status_code == 400 and not DefectCase.objects.exists()
    assert "foreign_matter_kind" in str(answer.context["form"].errors)
