"""The kept migrated test database (tests/template_db.py) is never used against another schema: its key changes with
every migration file and with what the migrations and the post-migrate receivers depend on, and a copy that does not
match the migrations on disk is refused."""

import shutil

import pytest
from django.db import connection

from tests import template_db


@pytest.fixture
def migrations_copy(tmp_path):
    """A copy of every migration file (in per-app folders, as on disk), to change without touching the tree."""
    copies = []
    for path in template_db.migration_files():
        target = tmp_path / path.parent.parent.name / path.name
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, target)
        copies.append(target)
    return copies


def test_the_key_is_the_same_for_the_same_migrations(migrations_copy):
    assert template_db.key() == template_db.key()
    assert template_db.key(migrations_copy) == template_db.key(migrations_copy)


def test_every_installed_app_s_migrations_are_hashed():
    files = {(path.parent.parent.name, path.name) for path in template_db.migration_files()}
    assert ("detainees", "0001_initial.py") in files
    assert ("casedocs", "0003_h13_stored_census.py") in files
    assert ("auth", "0001_initial.py") in files  # Django's own apps too: an upgrade changes them
    assert ("contenttypes", "0001_initial.py") in files


def test_editing_a_migration_file_changes_the_key(migrations_copy):
    before = template_db.key(migrations_copy)
    edited = next(path for path in migrations_copy if (path.parent.name, path.name) == ("detainees", "0001_initial.py"))
    edited.write_text(edited.read_text().replace("max_length=", "max_length=1+", 1))
    assert template_db.key(migrations_copy) != before


def test_even_a_one_character_edit_changes_the_key(migrations_copy):
    before = template_db.key(migrations_copy)
    edited = migrations_copy[-1]
    edited.write_bytes(edited.read_bytes() + b" ")
    assert template_db.key(migrations_copy) != before


def test_adding_or_removing_a_migration_changes_the_key(migrations_copy, tmp_path):
    before = template_db.key(migrations_copy)
    added = tmp_path / "detainees" / "0099_h22_new.py"
    added.write_text("from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    pass\n")
    assert template_db.key([*migrations_copy, added]) != before
    assert template_db.key(migrations_copy[1:]) != before


def test_the_project_modules_migrations_import_are_in_the_key(migrations_copy, monkeypatch):
    """A migration's RunPython that installs triggers runs casedocs.triggers' current code: that file is hashed."""
    imported = template_db.project_imports(template_db.migration_files())
    names = {str(path.relative_to(template_db.BASE)) for path in imported}
    assert {"casedocs/triggers.py", "changes/triggers.py", "common/editors.py", "common/models.py"} <= names

    before = template_db.key(migrations_copy)
    triggers = template_db.BASE / "casedocs" / "triggers.py"
    real_read_bytes = type(triggers).read_bytes
    monkeypatch.setattr(
        type(triggers), "read_bytes", lambda path: real_read_bytes(path) + (b"# edited" if path == triggers else b"")
    )
    assert template_db.key(migrations_copy) != before


def test_the_post_migrate_receivers_modules_are_in_the_key():
    names = {str(path.relative_to(template_db.BASE)) for path in template_db.receiver_files()}
    assert {"casedocs/triggers.py", "changes/triggers.py", "tests/conftest.py"} <= names


def test_the_models_the_receivers_read_are_in_the_key(migrations_copy, monkeypatch):
    """Triggers, content types and permissions are made from the models after migrating: a model's change that the
    migration files do not show (which `makemigrations --check` would also catch) still makes a new key."""
    before = template_db.key(migrations_copy)
    real = template_db.models_signature
    monkeypatch.setattr(template_db, "models_signature", lambda: [*real(), ("detainees.Extra", "detainees_extra")])
    assert template_db.key(migrations_copy) != before


@pytest.mark.django_db
def test_a_copy_missing_a_migration_is_refused():
    template_db.check_current(connection)  # this process' database: complete
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = 'detainees' AND name = '0019_merge_h12'")
    with pytest.raises(RuntimeError, match="does not match the migrations on disk"):
        template_db.check_current(connection)


@pytest.mark.django_db
def test_a_copy_with_an_unknown_migration_is_refused():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('detainees', '0099_elsewhere', CURRENT_TIMESTAMP)"
        )
    with pytest.raises(RuntimeError, match="extra"):
        template_db.check_current(connection)
