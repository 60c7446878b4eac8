"""Admin building blocks shared by the apps.

Cases, timelines, versions, letters and batches are records of what happened: the admin shows them
but never changes them, because every change is an action with a timeline row (defects.services).
Those are also the tables that grow with every case, so their lists never count every row.
"""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """An unfiltered list of a big table shows PostgreSQL's row estimate (pg_class.reltuples)
    instead of counting millions of rows on every page; a filtered one counts up to CAP."""

    CAP = 10000

    @cached_property
    def count(self):
        queryset = self.object_list
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                               [queryset.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] and row[0] > self.CAP:
                return int(row[0])
        return queryset.order_by()[: self.CAP].count()


class BigTableAdmin(admin.ModelAdmin):
    """A list over a table that grows with every case: estimated counts, no second "N total" count."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False


class ViewOnlyAdmin(BigTableAdmin):
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
