from django.contrib import admin

from config.admin import ViewOnlyAdmin

from .models import Letter, PrintBatch


@admin.register(Letter)
class LetterAdmin(ViewOnlyAdmin):
    """Letters change only through the print room (check, batch, print, mail, reprint)."""

    list_display = ("case", "kind", "status", "language", "revision", "needs_reprint", "batch", "printed_at")
    list_filter = ("kind", "status", "needs_reprint")
    list_select_related = ("case", "batch")
    ordering = ("-id",)  # Letter's own ordering (created_at) has no index: sorting millions took seconds
    search_fields = ("case__reference",)


@admin.register(PrintBatch)
class PrintBatchAdmin(ViewOnlyAdmin):
    list_display = ("id", "kind", "status", "count", "progress", "created_at", "printed_at", "mailed_at")
    list_filter = ("kind", "status")
    ordering = ("-id",)
