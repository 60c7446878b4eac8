"""No English on a Japanese page, no Japanese on an English page.

Each member of the cast walks every page reachable from their queue (links followed breadth-first,
with cases at every state in the database), in Japanese and in English, and submits every form it
finds with bad input; every answer (200, 400, 403, 404, 409 and the page a redirect lands on) is
read as a person reads it: the text, the options of a select, placeholders, titles, labels for
screen readers, button captions. What users typed (intake data, the report, comments), product and
factory names, usernames, references and a few tokens that are the same in both languages (PDF, QR,
units) are excepted; so is anything inside an element marked with the other language (the language
switch's "English" / "日本語"), and the timeline's notes (.ev-note: what people wrote; the few notes
the system writes are stored in the writer's language, a known gap noted for the timeline's owners).

Django's test client: fast, and the walk is about text, not layout (the browser tests look at that).
"""

import copy
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from defects.models import State
from factories.models import Factory, Product
from tests.conftest import COMPLETE_REPORT, PASSWORD, PATH, intake_data

BAD = "###"  # what the walk types into every field: no letters, so it never counts as English
ROLES = ["hotline", "qa_kyu", "qa_manager", "mailroom"]
MAX_PAGES = 120  # per role and language; the walk reaches about half of that
SKIP_PATHS = ("/logout/", "/i18n/", "/admin/", "/api/", "/static/", "/media/")
SKIP_ENDINGS = ("/pdf/",)

# Tokens the same in both languages: file formats, codes, units, the product's own abbreviations.
# Key caps (Enter, Tab) are printed in Latin letters on Japanese keyboards too.
SAME_IN_BOTH = {"PDF", "QR", "JAN", "CSV", "ID", "API", "PNG", "JPEG", "MB", "KB", "mm", "cm", "kg", "ml", "URL",
                "JST", "UTC", "Asia", "Tokyo", "4M", "5M1E", "8D", "Enter", "Tab"}
# English error messages of defects/addressing.py: translating them is the hotline-intake branch's
# work (issue 8 point 6). Each is excepted only while it is still there verbatim; once that branch is
# merged they no longer appear and the lead deletes this list.
PENDING_ELSEWHERE = [
    re.compile(r"'[^']*' is not a postal code: expected seven digits such as 810-0001\."),
    re.compile(r"The reading must be written in kana only; '[^']*' is not kana\."),
    re.compile(r"The name contains '[^']*', which cannot be part of a name\."),
    re.compile(r"The address contains '[^']*', which cannot be printed on a label\."),
    re.compile(r"'[^']*' is not a phone number: use digits, e\.g\. 03-1234-5678\."),
    re.compile(r"'[^']*' contains no phone number digits\."),
    # Stored in the writer's language when the case is routed (factories.routing), shown as stored:
    # a known gap (like the timeline's system notes), reported, left to the routing/timeline owners.
    re.compile(r"Made only at [A-Z0-9]+\."),
]
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f\u3001\u3002\u300c-\u300f]+")
# (ASCII boundaries: \b sees none between 番号 and a reference that follows it)
CASE_REFERENCE = re.compile(r"(?<![0-9A-Za-z])D-\d{4}-\d{6}(?![0-9A-Za-z])")
RETURN_REFERENCE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{4}-?[0-9A-Z]{4}-?[0-9A-Z]{2}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
TEXT_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class PageText(HTMLParser):
    """The text a reader sees (and hears), without what sits in an element of the other language,
    in script/style, or in what a user typed (a textarea's content, an input's value)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack = []  # (tag, skipped)
        self.parts = []
        self.forms = []  # [{"action", "method", "fields": {name: value}, "kinds": {name: type}}]

    def _skipping(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang")
        skipped = self._skipping() or tag in ("script", "style", "textarea", "template") or (
            lang is not None and not lang.startswith(self.language)) or "ev-note" in (attrs.get("class") or "").split()
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                               "fields": {}, "kinds": {}})
        if tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            kind = attrs.get("type", "text") if tag == "input" else tag
            form = self.forms[-1]
            form["kinds"][attrs["name"]] = kind
            if kind not in ("checkbox", "radio", "submit", "button", "file", "image") or (
                    kind in ("checkbox", "radio") and "checked" in attrs):
                form["fields"].setdefault(attrs["name"], attrs.get("value") or "")
        if not skipped:
            for name in TEXT_ATTRIBUTES:
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._skipping() and data.strip():
            self.parts.append(data)

    def text(self):
        return "\n".join(part.strip() for part in self.parts)


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str) and value.strip():
        yield value


def typed_strings(cast, products, factories) -> list[str]:
    """What people typed or named: excepted from the check, longest first (so a sentence goes whole)."""
    typed = set(_strings(intake_data(products[0]))) if products else set()
    typed |= set(_strings(copy.deepcopy(COMPLETE_REPORT)))
    typed |= {value for _name, _who, payload in PATH for value in _strings(payload)}
    typed |= {user.username for user in cast.values()}
    for product in products:
        typed |= {product.code, product.name, product.jan or ""}
    for factory in factories:
        typed |= {factory.code, factory.name, factory.address, factory.responsible, factory.phone}
    typed.discard("")
    # Stored forms of typed text (an ideographic space between words; ideographic spaces folded).
    typed |= {value.replace(" ", "\u3000") for value in typed} | {value.replace("\u3000", " ") for value in typed}
    return sorted(typed, key=len, reverse=True)


def offending(text: str, language: str, typed: list[str]) -> list[str]:
    for pattern in (*PENDING_ELSEWHERE, CASE_REFERENCE, RETURN_REFERENCE, EMAIL):
        text = pattern.sub(" ", text)
    for value in typed:
        text = text.replace(value, " ")
    if language == "ja":
        return sorted({word for word in ENGLISH_WORD.findall(text) if word not in SAME_IN_BOTH})
    return sorted(set(JAPANESE.findall(text)))


def _bad_post(form: dict) -> dict:
    data = {}
    for name, value in form["fields"].items():
        kind = form["kinds"].get(name)
        if name == "csrfmiddlewaretoken" or kind == "hidden":
            data[name] = value
        else:
            data[name] = BAD
    return data


def _has_user_fields(form: dict) -> bool:
    return any(kind not in ("hidden", "submit", "button") for kind in form["kinds"].values())


def walk(client: Client, language: str, typed: list[str], start=("/",)):
    """Visits every page reachable from `start`, submits each form with user fields with bad input.
    Returns ({page: offending words}, pages visited)."""
    problems, seen, posted = {}, set(), set()
    queue = deque(start)

    def read(label, response):
        if "text/html" not in response.get("Content-Type", ""):
            return None
        parser = PageText(language)
        parser.feed(response.content.decode())
        parser.close()
        words = offending(parser.text(), language, typed)
        if words:
            problems[label] = words
        return parser

    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        parser = read(f"GET {url}", response)
        if parser is None:
            continue
        for href in re.findall(r'href="([^"#]+)', response.content.decode()):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP_PATHS):
                continue
            if parts.path.endswith(SKIP_ENDINGS) or "/photos/" in parts.path:
                continue
            # One page of each list is enough: ?page=, ?q= and filters repeat the same template.
            queue.append(parts.path if parts.query.startswith(("after=", "before=", "cursor=")) else target)
        for form in parser.forms:
            action = urljoin(url, form["action"] or url)
            path = urlsplit(action).path
            if form["method"] != "post" or path.startswith(SKIP_PATHS) or not _has_user_fields(form):
                continue
            # The same form on another case's page says the same things: post it once.
            key = (CASE_REFERENCE.sub("{case}", path), tuple(sorted(form["kinds"])))
            if key in posted:
                continue
            posted.add(key)
            response = client.post(action, _bad_post(form))
            read(f"POST {path} (bad input)", response)
            if response.status_code in (301, 302, 303) and response.get("Location", "").startswith("/"):
                read(f"POST {path} -> GET {response['Location']}", client.get(response["Location"]))
    return problems, seen


@pytest.fixture
def cases_at_every_state(make_case, chocolate):
    cases = [make_case(state) for state in [
        State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING, State.REPORT_REVIEW,
        State.APPROVED, State.REPLACEMENT_SHIPPED, State.CLOSED]]
    cases.append(make_case(State.RECEIVED, product=chocolate, health_effect=True,
                           description="Felt sick after eating one piece."))
    return cases


def _client(user, language):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _report(problems, language):
    what = "English on Japanese pages" if language == "ja" else "Japanese on English pages"
    # The same template fails on every case page: say each set of words once, with its first page.
    first = {}
    for page, words in sorted(problems.items()):
        first.setdefault(tuple(words), page)
    return f"{what}:\n" + "\n".join(f"  {page}: {list(words)}" for words, page in first.items())


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_and_form_error_is_in_the_readers_language(role, language, cast, cases_at_every_state):
    typed = typed_strings(cast, list(Product.objects.all()), list(Factory.objects.all()))
    typed += ["Felt sick after eating one piece."]
    problems, seen = walk(_client(cast[role], language), language, typed)
    assert len(seen) >= 5, seen  # the walk really went somewhere
    assert not problems, _report(problems, language)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_login_page_and_its_error_are_in_the_readers_language(language, cast):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    typed = typed_strings(cast, [], [])
    problems, _seen = walk(client, language, typed, start=("/login/",))
    response = client.post("/login/", {"username": "hotline", "password": "wrong"})
    parser = PageText(language)
    parser.feed(response.content.decode())
    words = offending(parser.text(), language, typed)
    if words:
        problems["POST /login/ (wrong password)"] = words
    assert not problems, _report(problems, language)


def test_the_check_sees_english_on_a_japanese_page_and_japanese_on_an_english_one():
    """The checker itself: it must not pass everything."""
    parser = PageText("ja")
    parser.feed('<p>案件 Save</p><button lang="en">English</button><textarea>typed English</textarea>'
                '<input placeholder="Phone number" value="typed">')
    assert offending(parser.text(), "ja", []) == ["Phone", "Save", "number"]
    parser = PageText("en")
    parser.feed('<p>Case 保存</p><button lang="ja">日本語</button><p>ミントガム 9枚</p>')
    assert offending(parser.text(), "en", ["ミントガム 9枚"]) == ["保存"]
