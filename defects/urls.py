from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("queue/", views.home, name="queue"),
    path("queues/<str:name>/", views.queue_page, name="queue_page"),
    path("scan/", views.scan, name="scan"),
    path("unrouted/", views.unrouted, name="unrouted"),
    path("redirects/", views.redirects, name="redirects"),
    path("redirects/<int:redirect_id>/done/", views.redirect_done, name="redirect_done"),
    path("address/lookup/", views.postal_lookup, name="postal_lookup"),
    path("contacts/<int:contact_id>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("countermeasures/<int:pk>/", views.countermeasure_follow_through, name="countermeasure_follow_through"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/new/duplicates/", views.intake_duplicates, name="intake_duplicates"),
    path("cases/<str:reference>/", views.case_detail, name="case_detail"),
    path("cases/<str:reference>/transitions/<str:name>/", views.case_transition, name="case_transition"),
    path("cases/<str:reference>/contacts/", views.case_contact, name="case_contact"),
    path("cases/<str:reference>/consumer/", views.consumer_edit, name="consumer_edit"),
    path("cases/<str:reference>/owner/", views.case_assign, name="case_assign"),
    path("cases/<str:reference>/factory/", views.assign_factory, name="assign_factory"),
    path("cases/<str:reference>/investigation/", views.case_investigation, name="case_investigation"),
    path("cases/<str:reference>/investigation/versions/", views.investigation_versions, name="investigation_versions"),
    path("cases/<str:reference>/investigation/photos/", views.photo_upload, name="photo_upload"),
    path("cases/<str:reference>/investigation/photos/<int:photo_id>/remove/", views.photo_remove, name="photo_remove"),
    path("cases/<str:reference>/photos/<int:photo_id>/", views.photo_file, name="photo_file"),
    path("cases/<str:reference>/replacement/", views.replacement_items, name="replacement_items"),
    path("cases/<str:reference>/shipments/<int:shipment_id>/events/", views.shipment_event, name="shipment_event"),
]
