"""Admin: master data is kept elsewhere; here cases are read, never moved between states.

State changes go through the services (the case page's buttons), so the admin shows the state
read-only and the timeline cannot be edited or deleted.
"""

from django.contrib import admin

from .models import Consumer, Contact, DefectCase, Event, Shipment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("at", "actor", "kind", "transition", "from_state", "to_state", "note")
    readonly_fields = fields


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = ("direction", "carrier", "reference", "tracking_number", "status", "expected_by")
    readonly_fields = fields


class ConsumerInline(ReadOnlyInline):
    model = Consumer
    fields = ("name", "name_kana", "postal_code", "address", "phone", "email", "language")
    readonly_fields = fields


@admin.register(DefectCase)
class DefectCaseAdmin(admin.ModelAdmin):
    list_display = ("reference", "received_at", "product", "factory", "category", "urgent", "state")
    list_filter = ("state", "factory", "category", "urgent")
    search_fields = ("reference",)
    inlines = [ConsumerInline, ShipmentInline, EventInline]

    # Read-only: every change to a case (state, factory, address) is an action with a timeline row.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "actor", "kind", "transition", "from_state", "to_state")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "by", "channel", "direction", "follow_up_due", "follow_up_done_at")

    def has_delete_permission(self, request, obj=None):
        return False
