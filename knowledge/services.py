"""Writing articles (QA managers only) and the search keys of articles and cases."""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from defects import roles

from . import text
from .models import Article, ArticleKey, CaseKey

EDITORS = (roles.QA_MANAGER,)


def may_edit(user) -> bool:
    return roles.has_role(user, *EDITORS)


def _check(user):
    if not may_edit(user):
        raise PermissionDenied(_("Only QA managers write and publish answers."))


def _write_keys(article: Article) -> None:
    ArticleKey.objects.filter(article=article).delete()
    found = text.keys(f"{article.title}\n{article.answer}")
    ArticleKey.objects.bulk_create([ArticleKey(article=article, key=k, count=min(n, 32767)) for k, n in found.items()])


@transaction.atomic
def save_article(user, *, title, answer, product=None, category="", article=None, source_case=None) -> Article:
    """Create or change an article. A change to a published article takes it back to draft: a
    reviewed answer that was changed is no longer reviewed until someone publishes it again."""
    _check(user)
    if not (title or "").strip() or not (answer or "").strip():
        raise ValidationError({"title" if not (title or "").strip() else "answer": [_("This field is required.")]})
    if article is None:
        article = Article(written_by=user, source_case=source_case)
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
    article.title, article.answer = title.strip(), answer.strip()
    article.product, article.category = product, category or ""
    article.status, article.published_by, article.published_at = Article.Status.DRAFT, None, None
    article.save()
    _write_keys(article)
    return article


@transaction.atomic
def publish(user, article: Article) -> Article:
    _check(user)
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.status = Article.Status.PUBLISHED
    article.published_by, article.published_at = user, timezone.now()
    article.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    return article


def consumer_summary(case) -> str:
    """The approved report's consumer-facing cause and prevention, or '' before approval."""
    if case.approved_at is None:
        return ""
    investigation = getattr(case, "investigation", None)
    if investigation is None:
        return ""
    parts = (investigation.consumer_cause, investigation.consumer_prevention)
    return "\n".join(p.strip() for p in parts if p and p.strip())


def draft_from_case(user, case) -> Article:
    """One click on an approved case: a draft article with its consumer-facing summary, to review."""
    _check(user)
    summary = consumer_summary(case)
    if not summary:
        raise ValidationError({"case": [_("Only an approved report's summary can become an article.")]})
    title = f"{case.product.name}: {case.get_category_display()}"
    return save_article(user, title=title[:200], answer=summary, product=case.product, category=case.category,
                        source_case=case)


def index_case(case) -> None:
    """Write the case's search keys (from its description; never from the consumer's details)."""
    found = text.keys(case.description)
    with transaction.atomic():
        CaseKey.objects.filter(case=case).delete()
        CaseKey.objects.bulk_create([CaseKey(case=case, key=k, count=min(n, 32767), received_at=case.received_at)
                                     for k, n in found.items()])


# --- backfill ----------------------------------------------------------------------------------------

REBUILD_BATCH = 500


@functools.lru_cache(maxsize=2048)
def _keys_of(description: str) -> tuple[tuple[str, int], ...]:
    # Bulk-written cases repeat a few texts (seed_volume has six): tokenise each text once per run.
    return tuple(sorted((k, min(n, 32767)) for k, n in text.keys(description).items()))


def rebuild_case_keys(*, batch_size: int = REBUILD_BATCH, after: int = 0, only_missing: bool = True,
                      progress=None) -> dict[str, int]:
    """Write the search keys of cases that have none (cases from before the knowledge app, or written
    in bulk without the timeline's dispatch); with only_missing=False, of every case (after a change
    to knowledge.text). Each batch is one transaction over at most batch_size cases, read by keyset
    on the primary key: memory stays O(batch) and an interrupted run resumes where it stopped (the
    missing ones are still missing; or pass after=<the last id printed>). A case whose keys are
    already right is left alone, so a second run writes nothing.

    Returns {"cases": examined, "rewritten": cases whose keys were written, "keys": rows written,
    "last_id": the last case examined}.
    """
    from django.db.models import Exists, OuterRef

    from defects.models import DefectCase

    cases = DefectCase.objects.order_by("pk")
    if only_missing:
        cases = cases.filter(~Exists(CaseKey.objects.filter(case_id=OuterRef("pk"))))
    totals = {"cases": 0, "rewritten": 0, "keys": 0, "last_id": after}
    while True:
        batch = list(cases.filter(pk__gt=totals["last_id"]).values_list("pk", "description", "received_at")[:batch_size])
        if not batch:
            return totals
        ids = [pk for pk, _, _ in batch]
        have: dict[int, set] = {}
        for case_id, key, count, received_at in (CaseKey.objects.filter(case_id__in=ids)
                                                 .values_list("case_id", "key", "count", "received_at")):
            have.setdefault(case_id, set()).add((key, count, received_at))
        stale, rows = [], []
        for pk, description, received_at in batch:
            want = {(key, count, received_at) for key, count in _keys_of(description or "")}
            if want != have.get(pk, set()):
                stale.append(pk)
                rows += [CaseKey(case_id=pk, key=key, count=count, received_at=received_at) for key, count, _ in want]
        if stale:
            with transaction.atomic():
                CaseKey.objects.filter(case_id__in=stale).delete()
                CaseKey.objects.bulk_create(rows, batch_size=1000)
        totals["cases"] += len(batch)
        totals["rewritten"] += len(stale)
        totals["keys"] += len(rows)
        totals["last_id"] = ids[-1]
        if progress:
            progress(totals)


def backfill_case_keys(stdout) -> None:
    """defects.extensions.BULK_BACKFILL: the keys of the cases seed_volume wrote in bulk."""
    totals = rebuild_case_keys()
    stdout.write(f"  similar-case search keys written for {totals['rewritten']:,} cases")
