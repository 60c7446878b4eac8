"""seed_demo shows safety: a lot alert with three cases, a critical case waiting, a recall decision."""

from django.core.management import call_command

from safety.models import LotAlert, SafetyReview


def test_seed_demo_seeds_safety_once(db):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    alert = LotAlert.objects.get()
    assert (alert.lot_key, alert.memberships.count(), alert.factory.code) == ("KY2611A", 3, "KYU")
    waiting = SafetyReview.objects.get(status="open")
    assert waiting.case.severity == "critical" and waiting.case.product.code == "CHOCO-BAR"
    recall = SafetyReview.objects.get(decision="recall")
    assert recall.lots == ["SA2610L"] and recall.authority_reference
    assert recall.case.events.filter(data__safety="decided").exists()
