"""Drive the admin as an editor does: read the form the page shows, fill it in, post it."""


def inline_management_data(response) -> dict[str, str]:
    """Empty management-form data for every inline formset on an admin add/change page, plus the version of the
    record the page loaded (every save must carry it, as the browser does)."""
    data = {}
    adminform = response.context.get("adminform")
    if adminform is not None and "loaded_version" in adminform.form.fields:
        data["loaded_version"] = adminform.form["loaded_version"].value() or ""
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        prefix = formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, form in enumerate(formset.initial_forms):
            for name in form.fields:
                value = form[name].value()
                if value is None or value is False:
                    continue
                if isinstance(value, list):
                    value = [str(v) for v in value]
                data[f"{prefix}-{i}-{name}"] = value if isinstance(value, list) else str(value)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
    return data


def inline_prefix(response, model_name: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model._meta.model_name == model_name:
            return inline.formset.prefix
    raise LookupError(model_name)


def add_inline_rows(data: dict, prefix: str, rows: list[dict]) -> dict:
    start = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{start + offset}-{key}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(start + len(rows))
    return data


def form_errors(response) -> str:
    """Readable errors of a re-rendered admin form, for assertion messages."""
    if response.context is None or "adminform" not in response.context:
        return ""
    errors = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        errors.append(str(inline.formset.errors) + str(inline.formset.non_form_errors()))
    return " ".join(errors)
