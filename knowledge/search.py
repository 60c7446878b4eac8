"""Most similar published articles and past cases for a text: candidates looked up by key (index),
ranked by the sum of the inverse document frequencies of the keys they share with the text (TF-IDF
with the term counts left out: complaint texts are short), all in one GROUP BY per kind.
"""

import datetime
import math

from django.db.models import Case, Count, F, FloatField, Sum, Value, When
from django.utils import timezone

from defects import selectors
from defects.models import DefectCase

from . import text
from .models import Article, ArticleKey, CaseKey

LIMIT = 5
# Past cases are looked up among the cases received in this window only: the index (key, received_at)
# keeps the lookup cheap however many years of cases there are.
CASE_WINDOW = datetime.timedelta(days=730)
MAX_QUERY_KEYS = 30
# A product match lifts an article above one that shares the same words for another product.
SAME_PRODUCT_BONUS = 0.5


def query_keys(description: str) -> list[str]:
    return [key for key, _ in text.keys(description).most_common(MAX_QUERY_KEYS)]


def _idf(total: int, df: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def _score(keys: list[str], rows, total: int):
    """An SQL expression: the sum of the idf of each matching key row."""
    df = dict(rows.values_list("key").annotate(n=Count("id")).values_list("key", "n"))
    whens = [When(key=key, then=Value(_idf(total, n))) for key, n in df.items()]
    return Sum(Case(*whens, default=Value(0.0), output_field=FloatField())) if whens else None


def articles(keys: list[str], product=None, published_only=True, limit=LIMIT) -> list[Article]:
    if not keys:
        return []
    base = Article.objects.filter(status=Article.Status.PUBLISHED) if published_only else Article.objects.all()
    rows = ArticleKey.objects.filter(key__in=keys, article__in=base)
    score = _score(keys, rows, base.count())
    if score is None:
        return []
    ranked = rows.values("article_id").annotate(score=score)
    if product is not None:
        ranked = ranked.annotate(bonus=Case(When(article__product_id=product.pk, then=Value(SAME_PRODUCT_BONUS)),
                                            default=Value(0.0), output_field=FloatField()))
        ranked = ranked.annotate(rank=F("score") + F("bonus"))
    else:
        ranked = ranked.annotate(rank=F("score"))
    ranked = list(ranked.order_by("-rank", "-article_id")[:limit])
    by_id = Article.objects.select_related("product").in_bulk([r["article_id"] for r in ranked])
    return [by_id[r["article_id"]] for r in ranked if r["article_id"] in by_id]


def cases(keys: list[str], user, product=None, limit=LIMIT, now=None) -> list[DefectCase]:
    """Past cases the user may see, most similar first."""
    if not keys:
        return []
    since = (now or timezone.now()) - CASE_WINDOW
    rows = CaseKey.objects.filter(key__in=keys, received_at__gte=since)
    score = _score(keys, rows, DefectCase.objects.filter(received_at__gte=since).count())
    if score is None:
        return []
    visible = selectors.cases_for(user)
    ranked = rows.filter(case__in=visible.values("pk")).values("case_id").annotate(score=score)
    if product is not None:
        ranked = ranked.annotate(rank=F("score") + Case(
            When(case__product_id=product.pk, then=Value(SAME_PRODUCT_BONUS)), default=Value(0.0),
            output_field=FloatField()))
    else:
        ranked = ranked.annotate(rank=F("score"))
    ranked = list(ranked.order_by("-rank", "-case_id")[:limit])
    by_id = (DefectCase.objects.select_related("product", "investigation")
             .in_bulk([r["case_id"] for r in ranked]))
    return [by_id[r["case_id"]] for r in ranked if r["case_id"] in by_id]


def search_articles(q: str, user_may_see_drafts: bool, status: str = "") -> list[Article]:
    """GET /api/knowledge/?q=: by similarity when q is given, else the newest."""
    keys = query_keys(q)
    if keys:
        found = articles(keys, published_only=not user_may_see_drafts, limit=20)
        return [a for a in found if not status or a.status == status]
    articles_qs = Article.objects.select_related("product")
    if not user_may_see_drafts:
        articles_qs = articles_qs.filter(status=Article.Status.PUBLISHED)
    elif status:
        articles_qs = articles_qs.filter(status=status)
    return list(articles_qs.order_by("-updated_at", "-id")[:50])



