"""What a page asks of Django many times over, answered once per language and process (h51, issue 21 item 3).

A cold case page spent much of its Python in three helpers it calls a few hundred times with the same questions:

- `reverse()`: ~50 addresses a page, most of them the header's and footer's fixed ones and detail pages whose
  address differs only by a slug or an id. `url()` keeps each name's address once per language, script prefix and
  URL configuration: whole for a name without arguments, as the text around its one argument otherwise (checked
  with the route's own converter, as `reverse()` checks it). Anything else goes to `reverse()`.
- gettext: each look-up of a message not in the active catalogue (every message of an English page) tried each
  app's catalogue in turn. `remember_translations()` keeps each translation object's answers; a catalogue never
  changes after its object is made (Django makes new objects when translations are reset).
- `get_FOO_display()`: Django builds the field's whole dict of choices per call, each label translated to hash it.
  `remember_choice_labels()` keeps each field's labels per language.

Every answer is the one Django gives: `tests/test_h51_fast_paths.py` compares them for every name and field the
site has, and the case pages of every demo case are compared byte for byte with these helpers switched off
(`plain()`).
"""

import contextlib
import re
import threading
from functools import partialmethod
from urllib.parse import quote

from django.core.signals import setting_changed
from django.db.models import Model
from django.urls import NoReverseMatch, Resolver404, get_resolver, get_script_prefix, get_urlconf, resolve, reverse
from django.urls.converters import get_converters
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.regex_helper import _lazy_re_compile
from django.utils.translation import get_language

_state = threading.local()


def enabled() -> bool:
    return not getattr(_state, "plain", False)


@contextlib.contextmanager
def plain():
    """Django's own answers, nothing remembered (for the tests that compare the two)."""
    _state.plain = True
    try:
        yield
    finally:
        _state.plain = False


# --- Addresses --------------------------------------------------------------------------------------------------
_SENTINEL = "4242424242"  # a value every built-in converter but a custom one accepts (int, slug, str, path)
_PARAM = _lazy_re_compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted (RFC3986_SUBDELIMS + "/~:@")
_BUILT_IN = {"int", "slug", "str", "path"}
_shapes: dict[tuple, object] = {}
_NONE = object()


def _single_instance(viewname: str, urlconf) -> bool:
    """Whether each namespace of `viewname` has one instance (then `current_app` cannot change the address)."""
    resolver = get_resolver(urlconf)
    for namespace in viewname.split(":")[:-1]:
        if len(resolver.app_dict.get(namespace, ())) > 1:
            return False
        try:
            resolver = resolver.namespace_dict[namespace][1]
        except KeyError:
            return False
    return True


def _shape(viewname: str, arity: int, urlconf):
    """The address of `viewname` without arguments, or (text before, its one argument's parameter and converter,
    text after); _NONE when it cannot be had this way."""
    if not _single_instance(viewname, urlconf):
        return _NONE
    try:
        if arity == 0:
            return reverse(viewname, urlconf=urlconf)
        url = reverse(viewname, args=[_SENTINEL], urlconf=urlconf)
    except NoReverseMatch:
        return _NONE
    prefix = get_script_prefix()
    try:
        match = resolve("/" + url[len(prefix) :] if url.startswith(prefix) else url, urlconf=urlconf)
    except Resolver404:
        return _NONE
    route = match.route or ""
    if any(c in route for c in "^$\\()[]?*+{}|"):  # a regular expression (re_path), not path()'s <converter:name>
        return _NONE
    params = _PARAM.findall(route)
    if url.count(_SENTINEL) != 1 or len(params) != 1 or match.args or list(match.captured_kwargs) != [params[0][1]]:
        return _NONE
    converter_name, parameter = params[0]
    if (converter_name or "str") not in _BUILT_IN:  # another's to_url() may refuse a value otherwise than reverse()
        return _NONE
    converter = get_converters()[converter_name or "str"]
    head, tail = url.split(_SENTINEL)
    return head, parameter, converter, re.compile(converter.regex), tail


def url(viewname: str, args=(), kwargs=None) -> str:
    """`reverse(viewname, args=args, kwargs=kwargs)`, each name's address kept once per language."""
    kwargs = kwargs or {}
    if not enabled() or (args and kwargs) or len(args) + len(kwargs) > 1 or not isinstance(viewname, str):
        return reverse(viewname, args=args, kwargs=kwargs)
    urlconf = get_urlconf()
    key = (viewname, bool(args or kwargs), get_language(), get_script_prefix(), urlconf)
    shape = _shapes.get(key)
    if shape is None:
        shape = _shapes[key] = _shape(viewname, len(args) + len(kwargs), urlconf)
    if shape is _NONE:
        return reverse(viewname, args=args, kwargs=kwargs)
    if isinstance(shape, str):
        return shape
    head, parameter, converter, pattern, tail = shape
    if kwargs and parameter not in kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    value = args[0] if args else kwargs[parameter]
    try:
        text = str(converter.to_url(value))
    except ValueError:
        return reverse(viewname, args=args, kwargs=kwargs)
    if not pattern.fullmatch(text):
        return reverse(viewname, args=args, kwargs=kwargs)  # which says why it does not match
    return head + quote(text, safe=_SAFE) + tail


def _forget(**kwargs):
    _shapes.clear()


setting_changed.connect(_forget, dispatch_uid="h51-forget-url-shapes")


# --- Translations -----------------------------------------------------------------------------------------------
_KEPT = 20_000  # messages kept per translation object (code's own messages are far fewer; past that, look up)
_MISSING = object()


def _plain_chain(translation) -> bool:
    """Whether every fallback after `translation` answers the same message the same way each time: Django's own
    translations, a plain GNUTranslations catalogue (which the site's DjangoTranslation has among its fallbacks) and
    gettext's null one; django-countries' switch (off around some of its look-ups) is checked at
    each look-up instead."""
    import gettext as gettext_module

    from django.utils.translation.trans_real import DjangoTranslation
    from django_countries import EmptyFallbackTranslator

    step = translation._fallback
    while step is not None:
        if type(step) not in (DjangoTranslation, gettext_module.GNUTranslations, gettext_module.NullTranslations,
                              EmptyFallbackTranslator):
            return False
        step = getattr(step, "_fallback", None)
    return True


def remember_translations() -> None:
    """Each translation object's answers kept on it (see the module's docstring), while django-countries has not
    switched fallbacks off (it does around some look-ups: then the chain is asked as gettext asks it)."""
    from django.utils.translation.trans_real import DjangoTranslation
    from django_countries import _translation_state

    if getattr(DjangoTranslation, "_h51_remembers", False):
        return
    looked_up = DjangoTranslation.gettext  # GNUTranslations.gettext

    def gettext(self, message):
        if not enabled() or not getattr(_translation_state, "fallback", True):
            return looked_up(self, message)
        kept = self.__dict__.get("_h51_kept")
        if kept is None:
            kept = self.__dict__["_h51_kept"] = {} if _plain_chain(self) else False
        if kept is False:
            return looked_up(self, message)
        try:
            return kept[message]
        except KeyError:
            answer = looked_up(self, message)
            if len(kept) < _KEPT:
                kept[message] = answer
            return answer

    DjangoTranslation.gettext = gettext
    DjangoTranslation._h51_remembers = True


# --- Choice labels ----------------------------------------------------------------------------------------------
_labels: dict[tuple, dict] = {}


def _choice_label(self, field):
    """`Model._get_FIELD_display`, with the field's labels kept per language."""
    if not enabled():
        return Model._get_FIELD_display(self, field)
    value = getattr(self, field.attname)
    key = (field, get_language())
    labels = _labels.get(key)
    if labels is None:
        choices = dict(make_hashable(field.flatchoices))
        labels = _labels[key] = {k: force_str(v, strings_only=True) for k, v in choices.items()}
    label = labels.get(make_hashable(value), _MISSING)
    return force_str(value, strings_only=True) if label is _MISSING else label


def remember_choice_labels() -> None:
    """Every model's `get_FOO_display()` made by Django answered by `_choice_label` (see the module's docstring)."""
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            if isinstance(method, partialmethod) and method.func is Model._get_FIELD_display:
                setattr(model, name, partialmethod(_choice_label, field=field))


def _forget_labels(**kwargs):
    _labels.clear()


setting_changed.connect(_forget_labels, dispatch_uid="h51-forget-choice-labels")
