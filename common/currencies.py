"""ISO 4217 currencies, from pycountry's copy of the standard: one list for validation and for the admin's picker."""

import gettext
from functools import cache

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _


def currency_choices() -> list[tuple[str, str]]:
    """("RUB", "RUB — Russian Ruble"), … sorted by code, the names in the active language ("RUB — Российский рубль"
    on Russian pages: pycountry ships the ISO 4217 names' translations)."""
    return _choices(translation.get_language() or settings.LANGUAGE_CODE)


@cache
def _choices(language: str) -> list[tuple[str, str]]:
    names = gettext.translation(
        "iso4217", pycountry.LOCALES_DIR, languages=[translation.to_locale(language)], fallback=True
    ).gettext
    return sorted((c.alpha_3, f"{c.alpha_3} — {names(c.name)}") for c in pycountry.currencies)


@deconstructible
class CurrencyValidator:
    """An empty value or a current ISO 4217 code; anything else names what was typed and what is expected."""

    def __call__(self, value: str) -> None:
        if value and pycountry.currencies.get(alpha_3=value) is None:
            raise ValidationError(
                _("“%(value)s” is not an ISO 4217 currency code. Use one such as RUB, USD or EUR."),
                code="invalid_currency",
                params={"value": value},
            )

    def __eq__(self, other):
        return isinstance(other, CurrencyValidator)
