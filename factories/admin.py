from django.contrib import admin

from .models import Factory, Investigation, Product, StaffProfile


@admin.register(Factory)
class FactoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "address", "responsible")
    search_fields = ("code", "name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "jan", "default_factory")
    search_fields = ("code", "name", "jan")


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "factory")


@admin.register(Investigation)
class InvestigationAdmin(admin.ModelAdmin):
    list_display = ("case", "updated_at", "updated_by")
    readonly_fields = ("case",)
