"""Admin building blocks shared by the apps.

Cases, timelines, versions, letters and batches are records of what happened: the admin shows them
but never changes them, because every change is an action with a timeline row (defects.services).
"""

from django.contrib import admin


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
