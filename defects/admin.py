"""Admin: master data is kept elsewhere; here cases are read, never moved between states.

State changes go through the services (the case page's buttons), so the admin shows the state
read-only and the timeline cannot be edited or deleted.
"""

from django.contrib import admin

from config.admin import BigTableAdmin, ReadOnlyInline, ViewOnlyAdmin

from . import personal_data

from .models import (
    Consumer, Contact, DefectCase, Event, RedirectRequest, ReplacementItem, Shipment, ShipmentEvent, ShippingCarrier,
)


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("at", "actor", "kind", "transition", "from_state", "to_state", "note")
    readonly_fields = fields


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ("direction", "carrier", "payment", "reference", "tracking_number", "status", "expected_by",
              "received_at", "condition_on_arrival", "shipped_at", "delivered_at")
    readonly_fields = fields


class ReplacementItemInline(ReadOnlyInline):
    model = ReplacementItem
    fields = ("kind", "product", "description", "quantity", "coupon_code", "value_yen")
    readonly_fields = fields


class RedirectRequestInline(ReadOnlyInline):
    model = RedirectRequest
    fields = ("owner", "due_at", "done_at", "done_by")
    readonly_fields = fields


class ConsumerInline(ReadOnlyInline):
    model = Consumer
    fields = ("name", "name_kana", "postal_code", "address", "phone", "email", "language")
    readonly_fields = fields


@admin.register(DefectCase)
class DefectCaseAdmin(ViewOnlyAdmin):
    list_display = ("reference", "received_at", "product", "factory", "category", "urgent", "state")
    list_filter = ("state", "factory", "category", "urgent")
    list_select_related = ("product", "factory")
    search_fields = ("reference",)
    # Read-only: every change to a case (state, factory, address) is an action with a timeline row.
    inlines = [ConsumerInline, ShipmentInline, ReplacementItemInline, RedirectRequestInline, EventInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        case = self.get_object(request, object_id)
        if case is not None and response.status_code == 200:
            personal_data.accessed(request.user, [case], "admin")  # the consumer inline shows them
        return response


@admin.register(Event)
class EventAdmin(ViewOnlyAdmin):
    list_display = ("case", "at", "actor", "kind", "transition", "from_state", "to_state")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")
    ordering = ("-id",)  # the primary key: newest first without sorting the timeline


@admin.register(Contact)
class ContactAdmin(ViewOnlyAdmin):
    """Contacts are what was said to and by the consumer: read here, never rewritten (the database refuses
    too, on PostgreSQL). A mistake is corrected by logging a new contact that points at this one."""

    list_display = ("case", "at", "by", "channel", "direction", "follow_up_due", "follow_up_done_at", "corrects")
    list_select_related = ("case", "by", "corrects")
    ordering = ("-id",)


@admin.register(ShippingCarrier)
class ShippingCarrierAdmin(admin.ModelAdmin):
    """The carrier list: the three codes are fixed (tracking-number formats live in defects.carriers);
    an administrator renames a carrier, records our account number or switches one off."""

    list_display = ("code", "name", "active", "account_number")
    list_editable = ("active",)
    readonly_fields = ("code",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShipmentEventInline(ReadOnlyInline):
    model = ShipmentEvent
    fields = ("kind", "at", "source", "external_id", "note", "recorded_by", "recorded_at")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(BigTableAdmin):
    """Parcels are read here; they change through the services (scan, ship, parcel events)."""

    list_display = ("case", "direction", "carrier", "reference", "tracking_number", "status", "expected_by")
    list_select_related = ("case",)
    ordering = ("-id",)  # the model's order (created_at) has no index
    list_filter = ("direction", "status", "carrier")
    search_fields = ("reference", "tracking_number", "case__reference")
    inlines = [ShipmentEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RedirectRequest)
class RedirectRequestAdmin(admin.ModelAdmin):
    list_display = ("case", "owner", "due_at", "done_at", "done_by")
    list_select_related = ("case", "owner", "done_by")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
