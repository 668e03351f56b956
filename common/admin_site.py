"""The admin site editors work in: case records first, accounts and security out of the way at the bottom."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

CASE_APPS = ["detainees", "exchanges", "sources"]
SECURITY_APPS = {  # for whoever runs the site, below everything an editor works on
    "auth": _("Security: accounts and permissions"),
    "authtoken": _("Security: API tokens"),
    "axes": _("Security: sign-in attempts and lock-outs"),
}


class TrackerAdminSite(admin.AdminSite):
    site_header = _("Prisoner Exchange Tracker — editors")
    site_title = _("Prisoner Exchange Tracker admin")
    index_title = _("Editors' desk")

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        if app_label:
            return apps

        def place(app):
            label = app["app_label"]
            if label in CASE_APPS:
                return (0, CASE_APPS.index(label))
            return (2, 0) if label in SECURITY_APPS else (1, 0)

        for app in apps:
            if app["app_label"] in SECURITY_APPS:
                app["name"] = SECURITY_APPS[app["app_label"]]
            if app["app_label"] == "auth":
                for model in app["models"]:
                    if model["object_name"] == "Group":
                        model["name"] = _("Permission groups")  # not the armed groups of the case records
        return sorted(apps, key=place)


class TrackerAdminConfig(AdminConfig):
    default_site = "common.admin_site.TrackerAdminSite"

    def ready(self):
        # Before the admin modules are imported (autodiscover): their forms take the field names as they are then,
        # and the names Django makes from code must already be translatable (common.i18n).
        from common.i18n import translate_default_names

        translate_default_names()
        super().ready()
