"""Languages: English (unprefixed, the default) and Russian (`/ru/…`); a third is a catalogue and a LANGUAGES line.

- Public pages take their language from the address alone (`/ru/detainees/…`), so a cached page never depends on a
  header and every link can be shared. `/en/…` and `/en-gb/…` redirect to the unprefixed English address.
- The API stays at `/api/…` in every language: its error messages follow `Accept-Language`, while the documents it
  serves — field names, codes and the page addresses they link to — are the same bytes in every language. For that
  a Russian API request runs under the private code `ru-x-api`: Russian messages from the Russian catalogue, with
  URLs reversed as for English (`SitePrefixPattern` gives private codes no prefix, and Django caches reversed URLs
  per active code, so the two never share an entry).
- The admin stays at `/admin/` and speaks the editor's own language (`EditorLanguage`, set from the admin's
  header), or the browser's `Accept-Language` before sign-in.
"""

import json
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, URLResolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_noop, pgettext_lazy, trans_real

from common.fastpaths import url as fast_url

API_SUFFIX = "-x-api"
# The API's documentation stays English whatever the request asks: the OpenAPI schema, its two viewers and the
# API's front page (/api/v1/, a page of documentation). Error messages elsewhere under /api/ follow Accept-Language.
ENGLISH_ONLY = ("/api/schema/", "/api/docs/", "/api/redoc/")
ENGLISH_ONLY_PAGES = {"/api/v1/", "/api/v1"}


def site_languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def hreflang(code: str) -> str:
    """The hreflang value of a site language: `en` for `en-gb` (the site's English is for every English reader)."""
    return code.split("-")[0]


def base_language(code: str | None = None) -> str:
    """The site language behind an active code (`ru-x-api` → `ru`)."""
    code = code or translation.get_language() or settings.LANGUAGE_CODE
    return code.removesuffix(API_SUFFIX)


class SitePrefixPattern(LocalePrefixPattern):
    """Django's language prefix, except that codes outside LANGUAGES (the API's private `ru-x-api`) get none."""

    @property
    def language_prefix(self):
        code = translation.get_language() or settings.LANGUAGE_CODE
        if code == settings.LANGUAGE_CODE or code not in site_languages():
            return ""
        return f"{code}/"


def site_patterns(*urls):
    """`i18n_patterns(*urls, prefix_default_language=False)` with `SitePrefixPattern`."""
    return [URLResolver(SitePrefixPattern(prefix_default_language=False), list(urls))]


def accept_language(request) -> str:
    """The best site language for the request's Accept-Language header (English when none fits)."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _ in trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def is_admin(path: str) -> bool:
    return path.startswith("/admin/")


class SiteLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware with the site's three rules (see the module's docstring). Sits where Django's does: after
    the session, before CommonMiddleware."""

    def process_request(self, request):
        path = request.path_info
        first = path.lstrip("/").split("/", 1)[0]
        if first in ("en", settings.LANGUAGE_CODE) and first != "":
            rest = path[len(first) + 1 :] or "/"
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(rest + (f"?{query}" if query else ""))
        if path.startswith(ENGLISH_ONLY) or path in ENGLISH_ONLY_PAGES:
            translation.activate(settings.LANGUAGE_CODE)
        elif is_api(path):
            code = accept_language(request)
            translation.activate(code if code == settings.LANGUAGE_CODE else code + API_SUFFIX)
        elif is_admin(path):
            translation.activate(accept_language(request))  # EditorLanguageMiddleware may change it after sign-in
        else:
            super().process_request(request)
            return None
        request.LANGUAGE_CODE = base_language()
        return None

    def process_response(self, request, response):
        path = request.path_info
        if is_api(path) or is_admin(path):
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", hreflang(base_language()))
        return response


SESSION_KEY = "editor_language"


class EditorLanguageMiddleware:
    """In the admin, a signed-in editor's own language (after AuthenticationMiddleware). It is read from the
    session, where sign-in puts it (`remember_editor_language`), so an admin page costs no extra query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_admin(request.path_info) and request.user.is_authenticated:
            code = request.session.get(SESSION_KEY)
            if code in site_languages():
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)


def remember_editor_language(sender, request, user, **kwargs):
    """user_logged_in: the editor's language into their new session (one query, at sign-in only)."""
    from common.models import EditorLanguage

    code = EditorLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    if code and hasattr(request, "session"):
        request.session[SESSION_KEY] = code


def back_to_the_default_language(**kwargs) -> None:
    """request_finished: the language a request activated does not outlive it on its thread."""
    translation.deactivate()


def url_in_language(request, code: str) -> str:
    """This page's address in another site language (the same query string), or that language's home page."""
    match = request.resolver_match
    query = request.META.get("QUERY_STRING", "")
    with translation.override(code):
        try:
            if match is None or not match.url_name:
                raise NoReverseMatch
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
            url = fast_url(name, args=match.args, kwargs=match.kwargs)  # kept per language (common.fastpaths)
        except NoReverseMatch:
            return reverse("overview")
    return url + (f"?{query}" if query else "")


def languages(request):
    """Context processor: the page's language and its addresses in every site language (switcher, hreflang)."""
    current = base_language()
    if is_api(request.path_info) or is_admin(request.path_info):
        # the admin's language menu: each language by its own name as settings write it ("English", not Django's
        # "British English" for en-gb, nor a Russian page's "Английский")
        return {"page_language": hreflang(current), "site_languages": settings.LANGUAGES}
    names = dict(settings.LANGUAGES)  # each language's own name, as settings write it
    return {
        "page_language": hreflang(current),
        "page_alternates": [
            {
                "code": code,
                "hreflang": hreflang(code),
                "name": names[code],
                "current": code == current,
                "url": url_in_language(request, code),
            }
            for code in site_languages()
        ],
    }


@contextmanager
def english():
    """Render as the default language (stored case documents are English; see casedocs)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def set_editor_language(request):
    """POST from the admin's header: keep the editor's language and go back to the page they were on."""
    from django.http import HttpResponseNotAllowed, HttpResponseRedirect
    from django.utils.http import url_has_allowed_host_and_scheme

    from common.models import EditorLanguage

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    code = request.POST.get("language", "")
    if code in site_languages():
        EditorLanguage.objects.update_or_create(user=request.user, defaults={"language": code})
        request.session[SESSION_KEY] = code
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("admin:index")
    return HttpResponseRedirect(target)


# --- Names Django makes from code (a field `held_by` reads "held by") -------------------------------------------
# Model and field names without an explicit verbose_name are made translatable when the apps are ready (no
# migration changes: migrations keep what the code wrote). Their English words are listed in common/model_words.py
# so that makemessages finds them; tests/i18n/test_marked.py fails when a new field's name is missing there.
OWN_APPS = ("common", "sources", "detainees", "exchanges", "dataset", "casedocs", "changes")


def default_names():
    """(model or field, attribute, English words) for every name Django made from code in the project's apps."""
    from django.apps import apps

    for model in apps.get_models():
        opts = model._meta
        if opts.app_label not in OWN_APPS or model.__name__.startswith("Historical"):
            continue
        if "verbose_name" not in opts.original_attrs:
            yield opts, "verbose_name", str(opts.verbose_name)
        if "verbose_name_plural" not in opts.original_attrs:
            yield opts, "verbose_name_plural", str(opts.verbose_name_plural)
        for field in opts.get_fields():
            if getattr(field, "_verbose_name", "") is None and field.model is model:
                yield field, "verbose_name", str(field.verbose_name)


# A record's name in the admin's own phrases. Django's Russian puts the singular name into "Изменить %s",
# "Добавить %(name)s", "Выберите %s для изменения" (the accusative) and "{name} «…» был успешно добавлен",
# "Добавить еще один %(verbose_name)s" (masculine), and cannot decline it: "Изменить задержанный" should be
# "…задержанного", "Изменить группа" "…группу". As Russian admin sites do, such a model is named there by a masculine
# noun for a thing, whose accusative is its nominative ("профиль задержанного"), under the context "admin object"
# so that the same English word elsewhere (a field "detainee", a page's "group") keeps its own Russian. The plural
# (sidebar, list headings, inline headings) keeps the plain word: "Задержанные". English reads as before.
# Keyed by "app_label.ModelName" (common knows no app's classes).
ADMIN_OBJECT_NAMES = {
    "detainees.Detainee": pgettext_lazy("admin object", "detainee"),
    "detainees.MergedDetainee": pgettext_lazy("admin object", "merged detainee"),
    "detainees.Group": pgettext_lazy("admin object", "group"),
    "detainees.Counsel": pgettext_lazy("admin object", "lawyer"),
    "exchanges.ExchangeParticipant": pgettext_lazy("admin object", "exchange participant"),
    "sources.Claim": pgettext_lazy("admin object", "claim"),
}


def translate_default_names() -> None:
    from django.apps import apps
    from django.utils.functional import Promise
    from django.utils.translation import gettext_lazy

    for holder, attribute, words in list(default_names()):
        value = getattr(holder, attribute)
        # Once is enough. Not every Promise is ours: Django's own default plural is format_lazy("{}s", name) over
        # the English name, which stayed English in the Russian admin's sidebar.
        if isinstance(value, Promise) and getattr(value, "made_by_tracker", False):
            continue
        translated = gettext_lazy(words)
        translated.made_by_tracker = True
        setattr(holder, attribute, translated)
    for label, name in ADMIN_OBJECT_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        name.made_by_tracker = True
        model._meta.verbose_name = name  # the migrations keep what the code wrote (original_attrs)


# Apps of other packages that the admin's sidebar names, with no Russian of their own: their names in our catalogue.
# DBTaskResult's own names are marked by django-tasks, but only our catalogue has them in Russian: listed here so
# that makemessages keeps them.
THIRD_PARTY_APP_NAMES = {
    "django_tasks_database": gettext_noop("Background tasks"),
    "axes": gettext_noop("Sign-in attempts"),
}
THIRD_PARTY_WORDS = [gettext_noop("Task Result"), gettext_noop("Task Results")]


def translate_third_party_names() -> None:
    """Give the admin's sidebar the other packages' app names in the page's language ("Tasks Database Backend" read
    English in the Russian admin; issue 28)."""
    from django.apps import apps
    from django.utils.translation import gettext_lazy

    for label, words in THIRD_PARTY_APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = gettext_lazy(words)


def model_words() -> list[str]:
    """The English words of `default_names()`, sorted, whatever language is active."""
    with translation.override(settings.LANGUAGE_CODE):
        return sorted({words for _, _, words in default_names()})


def print_model_words() -> None:
    """Print common/model_words.py as it should be."""
    print('"""The English words Django makes from code for model and field names without a verbose_name ("held by"),')
    print("listed so that makemessages finds them (common.i18n.translate_default_names makes them translatable at")
    print("start-up).")
    print()
    print('Regenerate after adding a model or field: `python manage.py shell -v 0 -c "from common.i18n import')
    print('print_model_words; print_model_words()" > common/model_words.py` (tests/i18n/test_marked.py says when)."""')
    print()
    print("from django.utils.translation import gettext_noop as _")
    print()
    print("WORDS = [")
    for words in model_words():
        print(f"    _({json.dumps(words, ensure_ascii=False)}),")
    print("]")
