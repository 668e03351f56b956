"""CSV that spreadsheets open safely: OWASP's rule against CSV (formula) injection, in one place.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and Google
Sheets as a formula. Such text cells get a leading `'`, which spreadsheets show as text and do not evaluate.
Numbers are left alone (a negative number is not text). The API's CSV and the admin's export both go through here.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell as a spreadsheet should see it: text that would start a formula is prefixed with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeExportMixin:
    """For django-import-export resources: every exported cell goes through `neutralise()`."""

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))
