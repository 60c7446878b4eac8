"""What goes into each letter, read from the case at render time.

The rendering engine (letters.pdf) takes plain dicts; this module is the only place that knows
how a case, its consumer, its factory and its approved report map onto them.
"""

import datetime

from django.conf import settings
from django.utils import timezone, translation

from .models import Kind, Letter


def hotline_sender() -> dict:
    return {
        "name": getattr(settings, "HITOTSUBU_SENDER_NAME", "株式会社ひとつぶ製菓 お客様相談室"),
        "postal_code": getattr(settings, "HITOTSUBU_SENDER_POSTAL_CODE", "1000005"),
        "address": getattr(settings, "HITOTSUBU_SENDER_ADDRESS", "東京都千代田区丸の内1-1-1"),
        "phone": getattr(settings, "HITOTSUBU_SENDER_PHONE", "0120-000-000"),
        "hours": getattr(settings, "HITOTSUBU_SENDER_HOURS", "平日 9:00〜17:00"),
        # The consumer's status page (notifications.status): reference + last four phone digits.
        "status_url": getattr(settings, "HITOTSUBU_STATUS_URL", ""),
    }


def _consumer(case) -> dict:
    consumer = case.consumer
    return {"name": consumer.name, "postal_code": consumer.postal_code, "address": consumer.address}


def _factory(case) -> dict:
    factory = case.factory
    if factory is None:
        return {"name": "", "address": "", "responsible": "", "postal_code": "", "phone": ""}
    return {"name": factory.name, "address": factory.address, "responsible": factory.responsible,
            "postal_code": factory.postal_code, "phone": factory.phone}


def _latest_shipment(case, direction: str):
    # Read through case.shipments.all() so that a print batch's prefetch serves every letter.
    shipments = [s for s in case.shipments.all() if s.direction == direction]
    return max(shipments, key=lambda s: (s.created_at, s.pk)) if shipments else None


def _return_shipment(case):
    return _latest_shipment(case, "return")


# How the letter names what was wrong, by the case's category: "…に包装の不良があり" /
# "our <product> (a packaging defect)". Written per language, since the sentence around it differs.
DEFECT_PHRASES = {
    "ja": {"packaging": "包装の不良", "foreign_matter": "異物の混入", "taste_odor": "味やにおいの異常",
           "quantity": "内容量の不足", "labelling": "表示の誤り", "other": "品質の不良"},
    "en": {"packaging": "a packaging defect", "foreign_matter": "foreign matter", "taste_odor": "an unusual taste or smell",
           "quantity": "a short quantity", "labelling": "a labelling error", "other": "a quality problem"},
}


def defect_phrase(category: str, language: str) -> str:
    phrases = DEFECT_PHRASES.get(language, DEFECT_PHRASES["ja"])
    return phrases.get(category, phrases["other"])


def _summary(case, language: str) -> dict:
    """The approved consumer-facing summary: plain words written for the letter, never the
    factory's internal analysis."""
    # adopt_report: the approved report of the case this one adopted answers it (one investigation
    # for a whole lot); the letter still goes to this case's consumer, about this case's defect.
    reported = case.adopted_from if case.adopted_from_id else case
    investigation = getattr(reported, "investigation", None)
    if investigation is None:
        return {}
    return {
        "conclusion": investigation.conclusion or "determined",
        "defect": defect_phrase(case.category, language),
        "examined": investigation.consumer_examined,
        "manufacturing_process": investigation.consumer_process,
        "cause_occurrence": investigation.consumer_cause,
        "cause_escape": investigation.consumer_escape,
        "findings": investigation.consumer_cause,
        "prevention": investigation.consumer_prevention,
        # The opening paragraph thanks for a returned product and says whose product was examined:
        # neither is true of a case that adopted another case's report, nor of one without a sample.
        "adopted": bool(case.adopted_from_id),
        "sample_returned": case.sample_received_at is not None,
    }


def _parcel(case) -> tuple[list[dict], str]:
    """Products in the replacement parcel, and the goodwill item as one line of text."""
    shipment = _latest_shipment(case, "replacement")
    lines = [item.as_data() for item in shipment.items.all()] if shipment else []
    products = [{"name": line["name"], "quantity": line["quantity"]} for line in lines if line["kind"] == "product"]
    goodwill = ", ".join(
        line["name"] + (f" ({line['coupon_code']})" if line.get("coupon_code") else "")
        for line in lines if line["kind"] != "product"
    )
    return products or [{"name": case.product.name, "quantity": 1}], goodwill


def context_for(letter: Letter, today: datetime.date | None = None) -> dict:
    """The engine's context for one letter, from the case as it is now, in the letter's language."""
    with translation.override(letter.language):
        return _context_for(letter, today)


def _context_for(letter: Letter, today: datetime.date | None) -> dict:
    case = letter.case
    context = {
        "language": letter.language,
        "date": today or timezone.localdate(),
        "reference": case.reference,
        "product_name": case.product.name,
        "consumer": _consumer(case),
        "sender": hotline_sender(),
        "factory_name": case.factory.name if case.factory else "",
        "factory": _factory(case),
    }
    if letter.kind == Kind.RETURN_KIT:
        shipment = _return_shipment(case)
        context["return_reference"] = shipment.reference if shipment else ""
        context["carrier"] = str(shipment.get_carrier_display()) if shipment and shipment.carrier else ""
        context["expected_by"] = shipment.expected_by if shipment else None
        # The parcel goes to the plant that examines it; an unrouted case comes to the hotline.
        context["return_to"] = _factory(case) if case.factory else hotline_sender()
    if letter.kind in (Kind.APOLOGY_LETTER, Kind.PACKING_SLIP):
        products, goodwill = _parcel(case)
        context["summary"] = _summary(case, letter.language)
        context["replacement"] = products
        context["items"] = products
        context["goodwill"] = goodwill
    return context


def jsonable(context: dict) -> dict:
    """The context as stored on the letter (dates as ISO strings)."""

    def convert(value):
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    return convert(context)
