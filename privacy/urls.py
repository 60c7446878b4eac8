from django.urls import path

from . import api

urlpatterns = [
    path("personal-data/", api.PersonalDataAccessList.as_view(), name="audit-personal-data"),
]
