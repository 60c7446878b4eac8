from django.contrib import admin

from .models import Notification, Preference, Webhook, WebhookDelivery


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "case", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "case"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email"]


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ["event", "status", "attempts", "last_status_code", "last_error", "next_attempt_at", "delivered_at"]
    readonly_fields = fields
    ordering = ["-id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "events", "active", "created_at"]
    inlines = [WebhookDeliveryInline]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(self):
            from django.core.exceptions import ValidationError

            from .webhooks import check_url

            data = original_clean(self)
            if data.get("url"):
                try:
                    check_url(data["url"])
                except ValidationError as error:
                    self.add_error("url", error.message_dict["url"])
            return data

        form.clean = clean
        return form


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "webhook", "event", "status", "attempts", "last_status_code", "delivered_at"]
    list_filter = ["status"]
    raw_id_fields = ["event"]
