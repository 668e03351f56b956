import functools

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """Shared building blocks: timestamps, partial dates, visibility, search keys."""

    name = "common"
    verbose_name = _("Common")

    def ready(self):
        from django.core.signals import request_finished

        from common.i18n import back_to_the_default_language, translate_default_names, translate_third_party_names

        remember_country_names()
        from common.fastpaths import remember_choice_labels, remember_translations

        remember_translations()  # gettext answers kept per translation object (h51)
        remember_choice_labels()  # get_FOO_display() labels kept per language (h51)
        from common import reasons

        reasons.connect()  # a change's reason on every history row it writes (API writes, services)
        from common import review

        review.connect()  # changes to public cases queued for a second editor, at the end of each checked write
        translate_default_names()  # model and field names made from code, in the page's language (h12)
        translate_third_party_names()  # the admin sidebar's names of other packages' apps
        # A request's language ends with it (after a streamed body too), not in whatever runs next on the thread.
        request_finished.connect(back_to_the_default_language, dispatch_uid="h12-language-ends-with-request")
        from django.contrib.auth.signals import user_logged_in

        from common.i18n import remember_editor_language

        user_logged_in.connect(remember_editor_language, dispatch_uid="h12-editor-language-at-sign-in")
        from django.db.models.signals import post_migrate

        from common.editors import grant_editors_after_migrate

        # after every app's permissions exist (auth makes them on post_migrate, before this app's receivers run)
        post_migrate.connect(grant_editors_after_migrate, dispatch_uid="editors-hold-every-case-model")


def remember_country_names() -> None:
    """Make `countries.name(code)` (and so `Country.name`, the `country_name` filter, the facets) a dictionary look-up.

    django-countries translates the name again on every call: a gettext look-up with fallbacks, ~100 µs. A list page
    of 25 cards asks for ~90 names, which was a third of its rendering. The names are kept per language and code,
    as django-countries keeps its sorted list per language; a temporary `countries_context()` and any change to a
    COUNTRIES_* setting (tests) bypass or drop them.
    """
    import django_countries
    from django.core.signals import setting_changed
    from django.utils.translation import get_language

    if getattr(django_countries.Countries.name, "remembers", False):
        return
    original = django_countries.Countries.name
    names: dict[tuple, str] = {}

    @functools.wraps(original)
    def name(self, code):
        if getattr(django_countries._countries_context, "options", None):
            return original(self, code)
        key = (id(self), get_language(), code)
        try:
            return names[key]
        except (KeyError, TypeError):  # TypeError: an unhashable code, left to django-countries to refuse
            value = original(self, code)
            if isinstance(code, str):
                names[key] = value
            return value

    name.remembers = True
    django_countries.Countries.name = name

    def forget(setting, **kwargs):
        if setting.startswith("COUNTRIES_"):
            names.clear()

    setting_changed.connect(forget, weak=False)
