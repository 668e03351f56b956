"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, the URL patterns) lives as long as the process: moved out of the
# garbage collector's sight, it is no longer traversed by every full collection a request triggers.
gc.freeze()
