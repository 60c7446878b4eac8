"""GET/POST /api/knowledge/, POST /api/knowledge/{id}/publish/, POST /api/knowledge/from-case/{reference}/,
GET /api/cases/suggestions/?description=&product=."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from defects import roles, selectors
from defects.api.views.common import FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from defects.models import Category
from factories.models import Product

from . import search, services
from .models import Article

# Who sees suggestions at intake: the hotline, and QA managers and admins who stand in for it.
SUGGESTION_ROLES = (roles.HOTLINE, roles.QA_MANAGER, roles.ADMIN)


class ArticleSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="code", queryset=Product.objects.all(), required=False,
                                           allow_null=True)
    product_name = serializers.CharField(source="product.name", default="", read_only=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    source_case = serializers.CharField(source="source_case.reference", default=None, read_only=True)
    written_by = serializers.CharField(source="written_by.username", read_only=True)
    published_by = serializers.CharField(source="published_by.username", default=None, read_only=True)

    class Meta:
        model = Article
        fields = ["id", "title", "answer", "product", "product_name", "category", "status", "source_case",
                  "written_by", "written_at", "published_by", "published_at"]
        read_only_fields = ["status", "written_at", "published_at"]


class SuggestedArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    answer = serializers.CharField()
    product = serializers.CharField(source="product.code", default=None)
    category = serializers.CharField()
    published_at = serializers.DateTimeField()


class SuggestedCaseSerializer(serializers.Serializer):
    """A past case as a fact, never a person: no consumer detail and no description (the consumer's words)."""

    reference = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    category = serializers.CharField()
    category_label = serializers.CharField(source="get_category_display")
    product = serializers.CharField(source="product.code")
    received_at = serializers.DateTimeField()
    summary = serializers.SerializerMethodField(help_text="The approved report's consumer-facing cause and "
                                                          "prevention; empty before approval.")

    def get_summary(self, case) -> str:
        return services.consumer_summary(case)


class SuggestionsSerializer(serializers.Serializer):
    articles = SuggestedArticleSerializer(many=True)
    cases = SuggestedCaseSerializer(many=True)


@extend_schema(tags=["knowledge"])
class ArticleList(APIView):
    @extend_schema(summary="Articles: published for everyone, drafts too for QA managers",
                   parameters=[OpenApiParameter("q", str, description="Text: articles most similar first."),
                               OpenApiParameter("status", str, enum=["draft", "published"])],
                   responses={200: ArticleSerializer(many=True)})
    def get(self, request):
        q = request.query_params.get("q", "")[:1000]
        found = search.search_articles(q, user_may_see_drafts=services.may_edit(request.user),
                                       status=request.query_params.get("status", ""))
        return Response(ArticleSerializer(found, many=True).data)

    @extend_schema(summary="Write an article (QA managers); it starts as a draft", request=ArticleSerializer,
                   responses={201: ArticleSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN})
    def post(self, request):
        if not services.may_edit(request.user):
            raise PermissionDenied(_("Only QA managers write and publish answers."))
        data = ArticleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        article = services.save_article(request.user, title=v["title"], answer=v["answer"],
                                        product=v.get("product"), category=v.get("category", ""))
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["knowledge"])
class ArticlePublish(APIView):
    @extend_schema(summary="Publish a reviewed article (QA managers)", request=None,
                   responses={200: ArticleSerializer, 403: FORBIDDEN, 404: NOT_FOUND})
    def post(self, request, pk):
        if not services.may_edit(request.user):
            raise PermissionDenied(_("Only QA managers write and publish answers."))
        article = services.publish(request.user, get_object_or_404(Article, pk=pk))
        return Response(ArticleSerializer(article).data)


@extend_schema(tags=["knowledge"])
class ArticleFromCase(APIView):
    @extend_schema(summary="Draft an article from an approved case's consumer-facing summary (QA managers)",
                   request=None, responses={201: ArticleSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN,
                                            404: NOT_FOUND})
    def post(self, request, reference):
        if not services.may_edit(request.user):
            raise PermissionDenied(_("Only QA managers write and publish answers."))
        case = selectors.case_for(request.user, reference)
        article = services.draft_from_case(request.user, case)
        return Response(ArticleSerializer(article).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["knowledge"])
class CaseSuggestions(APIView):
    @extend_schema(summary="While the operator types: similar published articles and past cases",
                   parameters=[OpenApiParameter("description", str, required=True),
                               OpenApiParameter("product", str, description="Product code.")],
                   responses={200: SuggestionsSerializer, 403: FORBIDDEN})
    def get(self, request):
        if not roles.has_role(request.user, *SUGGESTION_ROLES):
            raise PermissionDenied(_("Suggestions are for the hotline and QA managers."))
        keys = search.query_keys(request.query_params.get("description", "")[:4000])
        code = request.query_params.get("product", "")[:32]
        product = Product.objects.filter(code=code).first() if code else None
        return Response(SuggestionsSerializer({
            "articles": search.articles(keys, product=product),
            "cases": search.cases(keys, request.user, product=product),
        }).data)
