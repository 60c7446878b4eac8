from django.urls import path

from . import api, views

urlpatterns = [
    path("knowledge/", views.article_list, name="article_list"),
    path("knowledge/new/", views.article_edit, name="article_new"),
    path("knowledge/<int:pk>/", views.article_edit, name="article_edit"),
    path("knowledge/<int:pk>/publish/", views.article_publish, name="article_publish"),
    path("cases/<str:reference>/knowledge/", views.article_from_case, name="article_from_case"),
]

api_urlpatterns = [
    path("knowledge/", api.ArticleList.as_view(), name="knowledge-list"),
    path("knowledge/<int:pk>/publish/", api.ArticlePublish.as_view(), name="knowledge-publish"),
    path("knowledge/from-case/<str:reference>/", api.ArticleFromCase.as_view(), name="knowledge-from-case"),
    # Before the cases router: "suggestions" must not be read as a case reference.
    path("cases/suggestions/", api.CaseSuggestions.as_view(), name="knowledge-suggestions"),
]
