from django.urls import path

from . import api, views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/settings/", views.notification_preferences, name="notification_preferences"),
    path("status/", views.case_status_page, name="case_status"),
]

api_urlpatterns = [
    path("notifications/", api.notification_list, name="api_notifications"),
    path("notifications/<int:pk>/read/", api.notification_read, name="api_notification_read"),
    path("webhooks/", api.webhook_list, name="api_webhooks"),
    path("status/", api.case_status_api, name="api_case_status"),
]
