"""The API's token, its account and the account's permissions in one statement.

DRF's `TokenAuthentication` reads the token with its user, and then Django's `ModelBackend` reads the user's own
permissions and its groups' (two statements more) the first time a permission is asked, which every write does.
Here the one statement that finds the token also brings both permission lists, and they fill the caches
`ModelBackend` reads (`_user_perm_cache`, `_group_perm_cache`, `_perm_cache`). Nothing is cached across requests:
a revoked token, a deactivated account or a withdrawn permission is refused from the next request on, as before.
"""

from django.contrib.auth.models import Permission
from django.db import connections
from django.db.models import F, OuterRef, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


def _names(permissions):
    """Each permission as `ModelBackend` names it: "app_label.codename"."""
    return (
        permissions.annotate(full_name=Concat(F("content_type__app_label"), Value("."), F("codename")))
        .order_by()
        .values("full_name")
    )


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, answered as DRF's own, with the account's permissions read in the same
    statement on PostgreSQL (an array per kind); elsewhere `ModelBackend` reads them when first asked."""

    def authenticate_credentials(self, key):
        tokens = Token.objects.select_related("user")
        with_permissions = connections[tokens.db].vendor == "postgresql"
        if with_permissions:
            from django.contrib.postgres.expressions import ArraySubquery

            user = OuterRef("user_id")
            tokens = tokens.annotate(
                own_permissions=ArraySubquery(_names(Permission.objects.filter(user=user))),
                group_permissions=ArraySubquery(_names(Permission.objects.filter(group__user=user))),
            )
        try:
            token = tokens.get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        account = token.user
        if not account.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if with_permissions and not account.is_superuser:  # a superuser's are every permission, read if ever asked
            own, groups = set(token.own_permissions), set(token.group_permissions)
            account._user_perm_cache, account._group_perm_cache, account._perm_cache = own, groups, own | groups
        return (account, token)
