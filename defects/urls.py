from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("queue/", views.home, name="queue"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<str:reference>/", views.case_detail, name="case_detail"),
    path("cases/<str:reference>/transitions/<str:name>/", views.case_transition, name="case_transition"),
    path("cases/<str:reference>/contacts/", views.case_contact, name="case_contact"),
    path("cases/<str:reference>/investigation/", views.case_investigation, name="case_investigation"),
]
