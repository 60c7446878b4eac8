"""Reviewed answers for the hotline (articles) and the search keys of articles and cases.

Keys are written when the text is written (knowledge.text.keys), so a suggestion looks candidates
up by key through an index instead of reading every case: it runs the same on SQLite and PostgreSQL.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defects.models import Category


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    answer = models.TextField(_("answer for the operator"), max_length=4000)
    product = models.ForeignKey("factories.Product", verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    source_case = models.ForeignKey("defects.DefectCase", verbose_name=_("source case"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT,
                                   related_name="+")
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed and published by"),
                                     null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title


class ArticleKey(models.Model):
    """One search key of an article (title + answer) with its count."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=40)
    count = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "article"], name="article_key_unique")]


class CaseKey(models.Model):
    """One search key of a case's description; received_at is copied so that the lookup by key stays
    within a recent window through the index alone."""

    case = models.ForeignKey("defects.DefectCase", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40)
    count = models.PositiveSmallIntegerField(default=1)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="case_key_unique")]
        indexes = [models.Index(fields=["key", "received_at"], name="case_key_recent")]
