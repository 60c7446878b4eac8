"""Admin: the access log and the erasures (view-only), and the consumer's APPI requests: export
everything held about them (JSON or CSV) and erase it, both logged."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from config.admin import ViewOnlyAdmin
from defects import personal_data

from . import erasure, export
from .models import ConsumerRecord, Erasure, PersonalDataAccess


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ViewOnlyAdmin):
    list_display = ("at", "user", "case", "what")
    list_filter = ("what",)
    search_fields = ("case__reference", "user__username")
    list_select_related = ("user", "case")
    date_hierarchy = "at"
    # No COUNT(*) over a log that only grows: the admin pages by keyset-friendly ordering.
    show_full_result_count = False


@admin.register(Erasure)
class ErasureAdmin(ViewOnlyAdmin):
    list_display = ("at", "case", "reason", "by", "letters_deleted")
    list_filter = ("reason",)
    search_fields = ("case__reference",)
    list_select_related = ("case", "by")


def _export(modeladmin, request, queryset, fmt):
    cases = [consumer.case for consumer in queryset.select_related("case__product")]
    content, content_type, filename = export.export_cases(cases, request.user, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@admin.action(description=_("Export everything held about the consumer (JSON)"))
def export_json(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, "json")


@admin.action(description=_("Export everything held about the consumer (CSV)"))
def export_csv(modeladmin, request, queryset):
    return _export(modeladmin, request, queryset, "csv")


@admin.action(description=_("Erase the consumer's personal data (APPI request)"))
def erase(modeladmin, request, queryset):
    if request.POST.get("confirmed") != "yes":
        return TemplateResponse(request, "admin/privacy/erase_confirmation.html", {
            **modeladmin.admin_site.each_context(request), "title": _("Erase personal data?"),
            "consumers": list(queryset.select_related("case")), "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })
    done = [case.reference for consumer in queryset.select_related("case")
            if (case := erasure.erase_case(consumer.case, by=request.user, reason=Erasure.Reason.REQUEST))]
    modeladmin.message_user(request, _("Personal data erased: %(refs)s") % {"refs": ", ".join(done) or "—"},
                            messages.SUCCESS)
    return None


@admin.register(ConsumerRecord)
class ConsumerRecordAdmin(ViewOnlyAdmin):
    """The consumers, by case: where an APPI request (see, delete) is served."""

    list_display = ("case", "name", "name_kana", "phone", "email")
    search_fields = ("case__reference", "name", "name_kana", "phone", "email")
    list_select_related = ("case",)
    actions = [export_json, export_csv, erase]
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def get_actions(self, request):
        # Actions need no change permission here: they are the admin's APPI duties, not edits.
        return {name: value for name, value in super().get_actions(request).items() if name != "delete_selected"}

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:  # the list shows names and phones: one record per row shown, one insert
            personal_data.accessed(request.user, [c.case_id for c in changelist.result_list], "admin")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None:
            personal_data.accessed(request.user, [obj.case_id], "admin")
        return response
