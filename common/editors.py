"""The "Editors" group: full rights on the case records, none on users or groups. One definition, used by the
migration that makes it (common 0001, with the models of its day) and by the test suite, which makes it again after a
transactional test's `flush` empties the tables data migrations wrote."""

EDITOR_APPS = ("sources", "detainees", "exchanges")


def make_editors_group(Group, Permission):
    """The group, made if missing, holding every permission of the case apps' models (`Group` and `Permission` are
    the models to use: a migration passes its historical ones)."""
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label__in=EDITOR_APPS))
    return editors
