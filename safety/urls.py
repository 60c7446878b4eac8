from django.urls import path

from . import api, views

urlpatterns = [
    path("safety/", views.review_list, name="safety_reviews"),
    path("safety/reviews/<int:pk>/", views.review_detail, name="safety_review"),
    path("safety/recalls/", views.recall_register, name="safety_recalls"),
    path("safety/lot-alerts/", views.alert_list, name="safety_lot_alerts"),
    path("safety/lot-alerts/<int:pk>/", views.alert_detail, name="safety_lot_alert"),
    path("safety/lot-alerts/<int:pk>/<str:action>/", views.alert_action, name="safety_lot_alert_action"),
    path("safety/cases/<str:reference>/severity/", views.case_severity, name="safety_case_severity"),
]

api_urlpatterns = [
    path("safety-reviews/", api.review_list, name="api_safety_reviews"),
    path("safety-reviews/<int:pk>/", api.review_detail, name="api_safety_review"),
    path("safety-reviews/<int:pk>/decide/", api.review_decide, name="api_safety_review_decide"),
    path("lot-alerts/", api.alert_list, name="api_lot_alerts"),
    path("lot-alerts/<int:pk>/acknowledge/", api.alert_acknowledge, name="api_lot_alert_acknowledge"),
    path("lot-alerts/<int:pk>/close/", api.alert_close, name="api_lot_alert_close"),
    path("cases/<str:reference>/severity/", api.case_severity, name="api_case_severity"),
]
