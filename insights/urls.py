from django.urls import path

from . import api, views

urlpatterns = [path("insights/", views.dashboard, name="insights")]

api_urlpatterns = [
    path("insights/pareto/", api.ParetoView.as_view(), name="insights-pareto"),
    path("insights/trend/", api.TrendView.as_view(), name="insights-trend"),
    # Before the cases router: "export.csv" must not be read as a case reference.
    path("cases/export.csv", api.CaseExport.as_view(), name="insights-case-export"),
]
