"""Admin: master data (factories, lines, products, plant codes, lot formats) is kept here.

The factory's report is edited through defects.services (so that freezing and validation hold); the
admin shows it, lets an administrator correct countermeasures only while the report is still a
draft, and never edits submitted versions.
"""

from django.contrib import admin

from config.admin import EstimatedCountPaginator, ReadOnlyInline, ViewOnlyAdmin

from .models import (
    Countermeasure,
    Factory,
    Investigation,
    InvestigationPhoto,
    InvestigationVersion,
    Line,
    PlantCode,
    Product,
    StaffProfile,
)


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    fields = ("code", "name")


@admin.register(Factory)
class FactoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "address", "responsible")
    search_fields = ("code", "name")
    inlines = [LineInline]


@admin.register(Line)
class LineAdmin(admin.ModelAdmin):
    list_display = ("factory", "code", "name")
    list_select_related = ("factory",)
    list_filter = ("factory",)
    search_fields = ("code", "name")


class PlantCodeInline(admin.TabularInline):
    model = PlantCode
    extra = 0
    fields = ("code", "factory")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jan", "lot_format", "default_factory")
    list_select_related = ("default_factory",)
    search_fields = ("code", "name", "jan")
    fields = ("code", "name", "jan", "lot_format", "default_factory")
    inlines = [PlantCodeInline]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "factory")
    list_select_related = ("user", "factory")


class _DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj):
        return obj is not None and obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class CountermeasureInline(_DraftOnlyInline):
    model = Countermeasure
    fields = ("position", "target", "action", "owner", "due_date", "done_date", "effectiveness_due",
              "effectiveness_result")


class PhotoInline(admin.TabularInline):
    model = InvestigationPhoto
    extra = 0
    can_delete = False
    fields = ("file", "content_type", "size", "caption", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # uploads are checked by content in defects.services.add_photo


class VersionInline(ReadOnlyInline):
    model = InvestigationVersion
    fields = ("number", "submitted_by", "submitted_at", "decision", "decision_comment", "decided_by", "decided_at")
    readonly_fields = fields


@admin.register(Investigation)
class InvestigationAdmin(admin.ModelAdmin):
    list_display = ("case", "conclusion", "updated_at", "updated_by")
    list_select_related = ("case", "updated_by")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    ordering = ("-id",)
    list_filter = ("conclusion", "occurrence_category", "escape_category")
    search_fields = ("case__reference",)
    readonly_fields = ("case", "updated_by", "updated_at")
    inlines = [CountermeasureInline, PhotoInline, VersionInline]

    def has_add_permission(self, request):
        return False  # a report starts with the investigation (defects.services)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InvestigationVersion)
class InvestigationVersionAdmin(ViewOnlyAdmin):
    list_display = ("investigation", "number", "submitted_by", "submitted_at", "decision", "decided_by")
    list_select_related = ("investigation", "submitted_by", "decided_by")
    list_filter = ("decision",)
    readonly_fields = ("investigation", "number", "snapshot", "submitted_by", "submitted_at", "decision",
                       "decision_comment", "decided_by", "decided_at")
