"""The API's token, its account and the account's permissions in one statement.

DRF's `TokenAuthentication` reads the token with its user, and then Django's `ModelBackend` reads the user's own
permissions and its groups' (two statements more) the first time a permission is asked, which every write does.
Here the one statement that finds the token also brings both permission lists, and they fill the caches
`ModelBackend` reads (`_user_perm_cache`, `_group_perm_cache`, `_perm_cache`). Nothing is cached across requests:
a revoked token, a deactivated account or a withdrawn permission is refused from the next request on, as before.
The statement is the ORM's, built once and sent prepared (`common.sql.rows_for_ids`): building its two array
subqueries on every request cost more than the answer.
"""

import functools

from django.contrib.auth.models import Permission
from django.db import connections
from django.db.models import F, OuterRef, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from common.sql import rows_for_ids


def _names(permissions):
    """Each permission as `ModelBackend` names it: "app_label.codename"."""
    return (
        permissions.annotate(full_name=Concat(F("content_type__app_label"), Value("."), F("codename")))
        .order_by()
        .values("full_name")
    )


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _tokens_with_permissions(_ids, key):
    from django.contrib.postgres.expressions import ArraySubquery

    account = Token._meta.get_field("user").related_model
    user = OuterRef("user_id")
    return (
        Token.objects.filter(key=key)
        .annotate(
            own_permissions=ArraySubquery(_names(Permission.objects.filter(user=user))),
            group_permissions=ArraySubquery(_names(Permission.objects.filter(group__user=user))),
        )
        .values_list(
            *_columns(Token), *(f"user__{c}" for c in _columns(account)), "own_permissions", "group_permissions"
        )  # fmt: skip
    )


@functools.cache
def _plain(model, alias: str) -> bool:
    """Whether every column of `model` comes from the database as Django hands it over (no converter to apply)."""
    connection = connections[alias]
    return not any(
        f.get_db_converters(connection) or connection.ops.get_db_converters(f.cached_col)
        for f in model._meta.concrete_fields
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, answered as DRF's own, with the account's permissions read in the same
    statement on PostgreSQL (an array per kind); elsewhere DRF's own, and `ModelBackend` reads them when first
    asked."""

    def authenticate_credentials(self, key):
        connection = connections[Token.objects.db]
        account_model = Token._meta.get_field("user").related_model
        fast = connection.vendor == "postgresql" and _plain(Token, connection.alias)
        if not (fast and _plain(account_model, connection.alias)):
            return super().authenticate_credentials(key)
        rows = rows_for_ids(connection, ("api-token",), _tokens_with_permissions, (), [str(key)])
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        row, token_columns, account_columns = rows[0], _columns(Token), _columns(account_model)
        token = Token.from_db(connection.alias, token_columns, row[: len(token_columns)])
        account = account_model.from_db(
            connection.alias, account_columns, row[len(token_columns) : len(token_columns) + len(account_columns)]
        )
        Token._meta.get_field("user").set_cached_value(token, account)
        if not account.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not account.is_superuser:  # a superuser's are every permission, read if ever asked
            own, groups = set(row[-2]), set(row[-1])
            account._user_perm_cache, account._group_perm_cache, account._perm_cache = own, groups, own | groups
        return (account, token)
