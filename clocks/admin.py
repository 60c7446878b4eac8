from django.contrib import admin

from .models import Clock, ClockTarget, CompanyHoliday


@admin.register(CompanyHoliday)
class CompanyHolidayAdmin(admin.ModelAdmin):
    list_display = ["month", "day", "year", "name"]


@admin.register(ClockTarget)
class ClockTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "hours", "urgent_hours"]


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["case", "name", "started_at", "due_at", "stopped_at", "outcome", "warned_at", "breached_at"]
    list_filter = ["name", "outcome"]
    raw_id_fields = ["case"]
