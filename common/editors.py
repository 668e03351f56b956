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


def grant_editors_after_migrate(sender, using="default", apps=None, **kwargs):
    """After `migrate`: the Editors group, where it exists, holds the permissions of every case model, those added
    by later migrations included (Counsel and CustodyExtension came after the group and had none: an editor's
    detention page lacked their rows). A group an administrator deleted is not made again."""
    if apps is None or sender.label not in EDITOR_APPS:
        return
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    editors = Group.objects.using(using).filter(name="Editors").first()
    if editors is not None:
        permissions = Permission.objects.using(using).filter(content_type__app_label=sender.label)
        editors.permissions.add(*permissions)


REVIEW_PERMISSION = ("common", "review_cases")


def make_reviewers_group(Group, Permission):
    """The "Reviewers" group, made if missing: the second editors, who may approve a publication and check changes
    to published cases (never their own). Its members are editors too (give them the Editors group as well)."""
    reviewers, _ = Group.objects.get_or_create(name="Reviewers")
    app_label, codename = REVIEW_PERMISSION
    reviewers.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return reviewers
