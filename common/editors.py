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


REVIEW_PERMISSION = ("common", "review_cases")


def make_reviewers_group(Group, Permission):
    """The "Reviewers" group, made if missing: the second editors, who may approve a publication and check changes
    to published cases (never their own). Its members are editors too (give them the Editors group as well)."""
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    app_label, codename = REVIEW_PERMISSION
    reviewers.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return reviewers
