"""The parcels of a case: the return coming back, the replacement going out, what is in it,
what the carrier says, and redirect requests when the consumer moves after shipping."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Carrier, DefectCase


class Shipment(models.Model):
    """A parcel of the case: the product coming back to us (return) or the replacement going out."""

    class Direction(models.TextChoices):
        RETURN = "return", _("Return to factory")
        REPLACEMENT = "replacement", _("Replacement to consumer")

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        RECEIVED = "received", _("Received")
        PREPARING = "preparing", _("Being prepared")
        SHIPPED = "shipped", _("Shipped")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")
        RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")

    class Payment(models.TextChoices):
        CASH_ON_DELIVERY = "cash_on_delivery", _("Cash on delivery (we pay on arrival)")
        PREPAID = "prepaid", _("Prepaid by us")

    case = models.ForeignKey(DefectCase, on_delete=models.PROTECT, related_name="shipments")
    direction = models.CharField(_("direction"), max_length=12, choices=Direction.choices)
    carrier = models.CharField(_("carrier"), max_length=12, choices=Carrier.choices, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=32, blank=True)
    # Printed on the return kit; random so that no case's reference can be guessed from another's.
    reference = models.CharField(_("return reference"), max_length=20, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Who pays the carrier: returns come cash on delivery (着払い), replacements go prepaid.
    payment = models.CharField(_("postage"), max_length=20, choices=Payment.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expected_by = models.DateField(_("expected by"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("shipped by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # The state the returned product arrived in (a return parcel only); photos belong to the investigation.
    condition_on_arrival = models.TextField(_("condition on arrival"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # Set by the late-return sweep when it dealt with this late parcel, once: put it on the timeline,
    # or found its case no longer waiting for it (withdrawn, investigated without the sample). The
    # sweep reads the partial index below (late returns not yet dealt with), never the timeline.
    overdue_flagged_at = models.DateTimeField(_("flagged late at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [
            # Returns still expected (the hotline's late-return list) ...
            models.Index(fields=["expected_by"], name="shipment_return_expected",
                         condition=models.Q(direction="return", status="expected", received_at__isnull=True)),
            # ... and those of them the sweep has not flagged yet: its steady state reads nothing.
            models.Index(fields=["expected_by"], name="shipment_return_unflagged",
                         condition=models.Q(direction="return", status="expected", received_at__isnull=True,
                                            overdue_flagged_at__isnull=True)),
            # The mail room's "returns reported by the carrier, not scanned" queue.
            models.Index(fields=["direction", "status", "created_at", "id"], name="shipment_dir_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="unique_return_reference"
            )
        ]

    def __str__(self):
        return f"{self.case_id} {self.direction} {self.reference or self.tracking_number}"


class ShippingCarrier(models.Model):
    """The carriers we have an account with, kept in the admin. The codes are fixed (see `Carrier`,
    and defects.carriers for their tracking-number formats); the admin switches one off or renames it."""

    code = models.CharField(_("code"), max_length=12, choices=Carrier.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    # Our customer number with the carrier, printed on cash-on-delivery waybills in return kits.
    account_number = models.CharField(_("account number"), max_length=40, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self):
        return self.name


class ShipmentEvent(models.Model):
    """What happened to a parcel on its way: typed in by the mail room or posted by a carrier integration."""

    class Kind(models.TextChoices):
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")
        RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by staff")
        CARRIER = "carrier", _("Carrier integration")

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    # The carrier's id for the event: the same carrier event posted twice is recorded once.
    external_id = models.CharField(_("carrier's event id"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "external_id"], condition=~models.Q(external_id=""),
                                    name="unique_carrier_event_per_shipment"),
        ]

    def __str__(self):
        return f"{self.shipment_id} {self.kind} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class ReplacementItem(models.Model):
    """One line of the replacement parcel: a product (the 代品) or a goodwill gift or coupon."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Replacement product")
        GIFT = "gift", _("Goodwill gift")
        COUPON = "coupon", _("Goodwill coupon")

    case = models.ForeignKey(DefectCase, on_delete=models.PROTECT, related_name="replacement_items")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    # A product line and a gift from our own range name a product; a gift from elsewhere a description.
    product = models.ForeignKey(
        "factories.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    value_yen = models.PositiveIntegerField(_("value (yen)"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("replacement item")
        verbose_name_plural = _("replacement items")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label} x{self.quantity}"

    @property
    def is_goodwill(self) -> bool:
        return self.kind != self.Kind.PRODUCT

    @property
    def label(self) -> str:
        return self.description or (self.product.name if self.product_id else "")

    def as_data(self) -> dict:
        """Plain facts for the timeline and letters (no personal data)."""
        return {
            "kind": self.kind, "product": self.product.code if self.product_id else "", "name": self.label,
            "quantity": self.quantity, "coupon_code": self.coupon_code, "value_yen": self.value_yen,
        }


class RedirectRequest(models.Model):
    """The consumer moved after the replacement left: someone must ask the carrier to redirect it.

    Open until someone marks it done; it has an owner and a due time so that it cannot be forgotten.
    Holds the new address: personal data, shown only to roles that see it.
    """

    case = models.ForeignKey(DefectCase, on_delete=models.PROTECT, related_name="redirect_requests")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="redirect_requests")
    to_name = models.CharField(_("deliver to"), max_length=100)
    to_postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    to_address = models.CharField(_("address"), max_length=200, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="redirect_requests")
    due_at = models.DateTimeField(_("due"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_note = models.TextField(_("how it was done"), blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("redirect request")
        verbose_name_plural = _("redirect requests")

    def __str__(self):
        return f"{self.case_id} redirect due {timezone.localtime(self.due_at):%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()
