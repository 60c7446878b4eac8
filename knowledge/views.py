"""Pages: the articles (everyone reads published ones; QA managers write, review and publish) and
the one-click draft from an approved case."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from defects import selectors
from factories.models import Product

from . import search, services
from .models import Article


class ArticleForm(forms.ModelForm):
    product = forms.ModelChoiceField(queryset=Product.objects.order_by("code"), required=False,
                                     label=gettext_lazy("Product"), to_field_name="code")

    class Meta:
        model = Article
        fields = ["title", "answer", "product", "category"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # as the other forms: the label alone, no colon
        super().__init__(*args, **kwargs)
        # The field is keyed by product code; the instance's initial value is its pk, which no option
        # carries: without this the select showed no product and saving the form dropped it.
        if self.instance.product_id:
            self.initial["product"] = self.instance.product.code


@login_required
def article_list(request):
    q = request.GET.get("q", "")[:200]
    editor = services.may_edit(request.user)
    articles = search.search_articles(q, user_may_see_drafts=editor)
    return render(request, "knowledge/article_list.html", {"articles": articles, "q": q, "editor": editor})


@login_required
def article_edit(request, pk=None):
    if not services.may_edit(request.user):
        raise PermissionDenied(_("Only QA managers write and publish answers."))
    article = get_object_or_404(Article.objects.select_related("source_case", "written_by", "published_by"), pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        article = services.save_article(request.user, title=d["title"], answer=d["answer"], product=d["product"],
                                        category=d["category"], article=article)
        messages.success(request, _("Saved as a draft. Publish it once it has been reviewed."))
        return redirect("article_edit", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def article_publish(request, pk):
    article = services.publish(request.user, get_object_or_404(Article, pk=pk))
    messages.success(request, _("Published: the hotline now sees this answer at intake."))
    return redirect("article_edit", pk=article.pk)


@login_required
@require_POST
def article_from_case(request, reference):
    case = selectors.case_for(request.user, reference)
    try:
        article = services.draft_from_case(request.user, case)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("case_detail", reference=case.reference)
    messages.success(request, _("A draft answer was made from this case. Review it, then publish."))
    return redirect("article_edit", pk=article.pk)
