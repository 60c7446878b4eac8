"""Hooks through which the `privacy` app acts on personal data without `defects` knowing it.

`privacy` depends on `defects`, never the reverse. Where the case's own code must ask a question
about personal data (mask this free text for a factory reader, what in this text is the consumer's,
who just looked at the consumer) it calls the functions here; `privacy` registers the answers in its
AppConfig.ready(). Without a registered hook the answers are the safe defaults: text unchanged (the
factory still never sees the structured consumer fields), no findings, nothing logged.

Why hooks and not a wrapper at the view layer: the selectors are the one place that decides what a
reader sees, and a wrapper around every page and API view would have to be kept in step with each
new view. A hook called from the selectors covers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

# Kinds of personal data a finder reports, in the words the warning uses.
KIND_LABELS = {
    "name": gettext_lazy("name"),
    "kana": gettext_lazy("name in kana"),
    "phone": gettext_lazy("phone number"),
    "email": gettext_lazy("e-mail address"),
    "address": gettext_lazy("address"),
}

# What an erased consumer's name, kana, address, phone and e-mail hold (privacy.erasure): the case
# stays, its personal data is gone. Anything that would print or render the consumer checks is_erased.
ERASED = "（消去済み）"

# (case, text) -> text with the consumer's personal data masked
_maskers: list[Callable] = []
# (consumer-like mapping, text) -> list of kinds found ("name", "kana", "phone", "email", "address")
_finders: list[Callable] = []
# (user, cases, what) -> None: one access record per case shown
_access_listeners: list[Callable] = []


def is_erased(case) -> bool:
    """Whether the case's consumer's personal data has been erased (nothing left to print or show)."""
    try:
        return case.consumer.name == ERASED
    except Exception:  # no consumer row
        return False


def register_masker(fn: Callable) -> None:
    if fn not in _maskers:
        _maskers.append(fn)


def register_finder(fn: Callable) -> None:
    if fn not in _finders:
        _finders.append(fn)


def register_access_listener(fn: Callable) -> None:
    if fn not in _access_listeners:
        _access_listeners.append(fn)


def mask(case, text: str) -> str:
    """The text with the case's consumer's personal data replaced (for readers who may not see it)."""
    if not text:
        return text
    for fn in _maskers:
        text = fn(case, text)
    return text


def findings(consumer, text: str) -> list[str]:
    """Which kinds of the consumer's personal data the text quotes (for the warning before saving).
    `consumer` has the Consumer's field names: name, name_kana, postal_code, address, phone, email
    (a mapping, or the Consumer itself, whose patterns are then built once for several texts)."""
    found: list[str] = []
    if not text:
        return found
    for fn in _finders:
        for kind in fn(consumer, text):
            if kind not in found:
                found.append(kind)
    return found


def warnings_for(consumer, texts: dict[str, str]) -> list[dict]:
    """For the operator before (page) or after (API) saving: per free-text field that factory users
    will read, which personal data it quotes. [{"field", "kinds", "message"}], empty when none."""
    warnings = []
    for field, text in texts.items():
        kinds = findings(consumer, text or "")
        if kinds:
            words = pgettext("list separator", ", ").join(str(KIND_LABELS.get(kind, kind)) for kind in kinds)
            warnings.append({"field": field, "kinds": kinds, "message": _(
                "This text contains personal data (%(kinds)s). Factory users will see ●●● in its place; "
                "please write it without them if you can.") % {"kinds": words}})
    return warnings


def consumer_dict(consumer) -> dict:
    """A Consumer's personal fields as a mapping (what findings and warnings_for read)."""
    if consumer is None:
        return {}
    return {name: getattr(consumer, name, "") for name in ("name", "name_kana", "postal_code", "address",
                                                          "phone", "email")}


def accessed(user, cases: Iterable, what: str) -> None:
    """`user` was just shown the personal data of `cases` (one record each) by `what` (a short code)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    cases = [c for c in cases if c is not None]
    if not cases:
        return
    for fn in _access_listeners:
        fn(user, cases, what)
