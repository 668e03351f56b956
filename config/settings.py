"""Settings for the Prisoner Exchange Tracker.

One module: every difference between a laptop and production comes from
environment variables (read with django-environ), never from code paths.
`DJANGO_ENV=production` turns on the production defaults and refuses to start
without SECRET_KEY and ALLOWED_HOSTS.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(f"DJANGO_ENV=production needs these environment variables: {', '.join(missing)}")

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# With DEBUG, missing pages still show the site's 404 page (common.middleware); true shows Django's debug page.
DEBUG_TECHNICAL_404 = env.bool("DEBUG_TECHNICAL_404", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "common.admin_site.TrackerAdminConfig",  # django.contrib.admin with the editors' site (common/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "corsheaders",
    "import_export",
    "csp",
    "axes",
    "common",
    "sources",
    "detainees",
    "exchanges",
    "dataset",
    "casedocs",
    "changes",
    "reconcile",  # h9: /api/reconcile/ (W3C Reconciliation Service API 0.2)
]
INSTALLED_APPS += ["django_tasks", "django_tasks.backends.database", "alerts"]  # alerts and webhooks (h8)

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.i18n.SiteLocaleMiddleware",  # languages (h12): /ru/ pages, Accept-Language for the API, see common.i18n
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "common.i18n.EditorLanguageMiddleware",  # the admin in the editor's own language (h12)
    "common.routing.ReplicaReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "casedocs.middleware.RefreshAfterWritesMiddleware",  # outside the write's transaction: it has committed
    "changes.middleware.PublishAfterWritesMiddleware",  # the change feed catches up, after the commit too
    "common.middleware.CheckedWritesMiddleware",  # every write checked: no published case gains an unsourced fact
    "common.middleware.CSPMiddleware",  # django-csp's, its policies built once (h55)
    "common.middleware.PermissionsPolicyMiddleware",
    "common.middleware.CacheControlMiddleware",
    "common.middleware.DatabaseUnavailableMiddleware",
    "common.middleware.SitePageNotFoundInDebugMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while an address is locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Admin login: five failures from one address for one username lock it out for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.i18n.languages",  # the page's language and its alternates (h12)
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No request may hold a worker (and a connection) for long; a slow query is cancelled with an error. Management
    # commands (manage.py sets PROCESS_KIND=command) run long statements on purpose — a synthetic dataset, every
    # case document rebuilt, the dump, an import — and get DB_COMMAND_STATEMENT_TIMEOUT_MS instead (default 0: none).
    if env.str("PROCESS_KIND", default="web") == "command":
        timeout_ms = env.int("DB_COMMAND_STATEMENT_TIMEOUT_MS", default=0)
    else:
        timeout_ms = env.int("DB_STATEMENT_TIMEOUT_MS", default=10_000)
    # A parallel plan costs a few milliseconds to start its workers: more than the page reads it was chosen for
    # save (the API's three document queries ran 15 ms in parallel, 5 ms without). Only scans that save more than
    # this many cost units (a count over most of 100,000 people) still go parallel.
    setup_cost = env.int("DB_PARALLEL_SETUP_COST", default=20_000)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={timeout_ms} -c parallel_setup_cost={setup_cost}"
    )
# A streaming replica of the primary for anonymous reads (common.routing); signed-in editors and writes use the
# primary. Same connection settings as the primary; in tests the alias mirrors `default`.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        **{key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS")
           if key in DATABASES["default"]},
        "TEST": {"MIRROR": "default"},
    }  # fmt: skip
DATABASE_ROUTERS = ["common.routing.ReplicaRouter"]
DB_ALIAS_HEADER = env.bool("DB_ALIAS_HEADER", default=False)
# Anonymous reads leave a replica that lags more than this, or does not answer, for the primary (common.routing);
# a database that failed a request is avoided for DB_FAILOVER_SECONDS.
DB_REPLICA_MAX_LAG_SECONDS = env.float("DB_REPLICA_MAX_LAG_SECONDS", default=10.0)
DB_REPLICA_CHECK_SECONDS = env.float("DB_REPLICA_CHECK_SECONDS", default=1.0)
DB_FAILOVER_SECONDS = env.float("DB_FAILOVER_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# --- Languages (h12; common/i18n.py, README "Languages") ---
# English unprefixed, Russian under /ru/. A third language is a catalogue (locale/<code>/LC_MESSAGES/django.po, from
# `make messages`) and one line here. Names are each language's own, as the switcher shows them.
LANGUAGES = [("en-gb", "English"), ("ru", "Русский")]
# django-countries 9 gives Nauru its Nauruan name, "Naoero", in English (readers look for "Nauru"), and its Russian
# catalogue names Liberia and New Caledonia in the genitive ("Либерии", "Новой Каледонии"): ours says them right.
COUNTRIES_OVERRIDE = {"NR": gettext_lazy("Nauru"), "LR": gettext_lazy("Liberia"),
                      "NC": gettext_lazy("New Caledonia")}  # fmt: skip
LOCALE_PATHS = [BASE_DIR / "locale"]
# Counts are grouped with `intcomma` in each language's way (5,390 in English, 5 390 in Russian); not
# USE_THOUSAND_SEPARATOR, which would print years as 2,022.

STATIC_URL = "static/"
# Where `collectstatic` puts the files whitenoise serves. A process that collects while another serves the same
# directory races it (a manifest storage deletes a hashed file before writing it again): the cluster test's servers
# collect into a directory of their own (STATIC_ROOT in their environment), never the one the suite's clients read.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# One cache for every worker and app server (page cache, counted figures, the API throttle): Redis, through
# Django's own backend (needs the `redis` package, pinned in requirements.txt). Without it, memory per worker.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="tracker"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    )
}
# Hot read queries run as server-side prepared statements (common/sql.py); turn off behind a transaction pooler.
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
# Public pages for anonymous visitors are kept per data version (common.views.PageCacheMixin); 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Each published case's API document and page are stored whole and kept current by database triggers (casedocs);
# a first visit is then one indexed read. After a write, up to CASE_DOCUMENTS_REFRESH stale ones are rebuilt.
CASE_DOCUMENTS = env.bool("CASE_DOCUMENTS", default=True)
# Review (common.review): publishing a case and changing a published one need a second editor. On by default in
# production; off by default elsewhere (a one-person project, or development) where a publish takes effect at once.
REVIEW_REQUIRED = env.bool("REVIEW_REQUIRED", default=PRODUCTION)
CASE_DOCUMENTS_REFRESH = env.int("CASE_DOCUMENTS_REFRESH", default=20)
# What a write leaves to do (stored documents to rebuild, the change feed to publish): done by the worker
# (`alerts_worker`, which drains the triggers' marks within about a second) in production, so a write answers in the
# time of the write itself; done after each write request, bounded (CASE_DOCUMENTS_REFRESH documents,
# CHANGES_PUBLISH_LIMIT marks), in development and tests, where no worker need run. Either way no read is ever
# served stale (a marked document is built afresh for its visitor; a read of the feed publishes first).
AFTER_WRITE_IN_REQUEST = env.bool("AFTER_WRITE_IN_REQUEST", default=not PRODUCTION)
# Dump files (`manage.py build_dump`, dataset.dump) and releases (`make_release`) are written here; /api/v1/dump/
# serves the newest. Any local directory will do.
DUMP_DIR = env.path("DUMP_DIR", default=BASE_DIR / "var" / "dump")
# The CSV of each whole public list (`?format=csv` without filters, anonymous) is served from a file in DUMP_DIR/csv,
# built at a seq of the change feed by `manage.py build_csv_files`, `load_demo` and the worker (at most once per
# CSV_FILES_INTERVAL seconds after the feed moves), never in a request; while no current file exists the request
# streams the rows as every filtered CSV does (dataset.csvfiles). False: every CSV is streamed.
CSV_FILES = env.bool("CSV_FILES", default=True)
CSV_FILES_INTERVAL = env.float("CSV_FILES_INTERVAL", default=60.0)
# The change feed (changes): marks published before each read of the feed (and after each write request when
# AFTER_WRITE_IN_REQUEST), at most this many at a time inside a request (one batch: about a second for a case with
# many records); the worker and `manage.py publish_changes` drain the rest. Bulk imports end by draining.
CHANGES_PUBLISH_LIMIT = env.int("CHANGES_PUBLISH_LIMIT", default=500)
# The site's public address (scheme and host, no path), for everything made outside a request: dump files and
# releases (`build_dump`, `make_release`, the worker), links in mail. One value: `SITE_URL` (`PUBLIC_ORIGIN`, the name
# the dump used to read, is taken when SITE_URL is not set; both set and different stops start-up). In production
# with neither, https:// and the first host of ALLOWED_HOSTS, never a local address in files the public downloads.
_site_url, _public_origin = env.str("SITE_URL", default=""), env.str("PUBLIC_ORIGIN", default="")
if _site_url and _public_origin and _site_url.rstrip("/") != _public_origin.rstrip("/"):
    raise ImproperlyConfigured(
        f"SITE_URL ({_site_url}) and PUBLIC_ORIGIN ({_public_origin}) name two public addresses: set SITE_URL only."
    )
_named_hosts = [h for h in ALLOWED_HOSTS if h not in ("*", "") and not h.startswith(".")]
_default_site = f"https://{_named_hosts[0]}" if PRODUCTION and _named_hosts else "http://127.0.0.1:8000"
SITE_URL = (_site_url or _public_origin or _default_site).rstrip("/")
PUBLIC_ORIGIN = SITE_URL  # the dump's and releases' name for it (dataset.dump, dataset.releases)
# What a CDN or proxy cache may do with public responses (common.middleware.CacheControlMiddleware): keep them
# PUBLIC_MAX_AGE seconds, then serve the old copy up to PUBLIC_STALE_SECONDS while it fetches a new one.
PUBLIC_MAX_AGE = env.int("PUBLIC_MAX_AGE", default=60)
PUBLIC_STALE_SECONDS = env.int("PUBLIC_STALE_SECONDS", default=600)

FORMS_URLFIELD_ASSUME_HTTPS = True

# Anyone may read the API from a notebook or a page elsewhere; nothing is writable cross-origin.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]
# Conditional reads from a page elsewhere: the preflight must allow the validators a client sends back.
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "if-match", "if-modified-since", "if-none-match",
                      "user-agent", "x-requested-with"]  # fmt: skip

IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

SITE_NAME = "Prisoner Exchange Tracker"
# Shown on the methodology page (/about/); empty means the page says none is configured. The demo (any copy not in
# production) states the project's licence and a project-level address on a reserved domain (RFC 2606: nobody's
# mailbox); a production copy sets its own real address, or the page says none is configured.
DATA_LICENCE = env.str("DATA_LICENCE", default="CC BY 4.0 (Creative Commons Attribution 4.0 International)")
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="" if PRODUCTION else "editors@prisoner-exchange-tracker.example")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "common.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["common.permissions.ModelPermissionsOrAnonReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "common.api.exception_handler",
    "VIEW_DESCRIPTION_FUNCTION": "common.descriptions.view_description",
    "DEFAULT_THROTTLE_CLASSES": ["common.throttling.SharedAnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="600/minute")},
    # The client's address is the one the last of PROXY_COUNT proxies saw, not whatever X-Forwarded-For claims.
    "NUM_PROXIES": env.int("PROXY_COUNT", default=0),
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Prisoner Exchange Tracker API",
    "DESCRIPTION": "People detained by states, the charges against them, the exchanges that free them, "
    "and the sources behind every fact.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "common.models.DatePrecision",
        "CountryEnum": "django_countries.countries",
        "OutletKindEnum": "sources.models.OutletKind",
        "DesignationKindEnum": "detainees.models.DesignationKind",
        "SentenceChangeKindEnum": "detainees.models.SentenceChangeKind",
        "SentenceCombinationEnum": "detainees.models.SentenceCombination",
        "CounselRoleEnum": "detainees.models.CounselRole",
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations grouped by resource (tags) with operationIds such as `detainees_list`; see common/schema.py.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "common.schema.postprocess"],
    # The docs open quickly: every group folded, the list of models hidden, a filter box on top.
    "SWAGGER_UI_SETTINGS": {
        "docExpansion": "none",
        "defaultModelsExpandDepth": -1,
        "filter": True,
        "deepLinking": True,
        "displayRequestDuration": True,
    },  # fmt: skip
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere (the API docs load their start-up script as a file): script-src is 'self' only.
# Inline styles stay allowed for the admin's and Swagger UI's style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # Redoc builds its search index in a Web Worker made from a blob: address (its own bundle, served here)
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Alerts and webhooks (the `alerts` app) ---------------------------------------------------------------------
# Deliveries run in a background worker (`manage.py alerts_worker`), never in a request. The queue is django-tasks
# (Django's tasks API): its database backend needs nothing but the database; TASKS_BACKEND switches to
# `django_tasks.backends.rq.RQBackend` (with django-rq and Redis) at scale.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks.backends.database.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Mail (alerts, sign-up confirmation) through Django's SMTP backend when EMAIL_HOST is set; printed otherwise.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'console'}.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="alerts@prisoner-exchange-tracker.example")
# Links in mail (confirmation, alerts) start with SITE_URL (above): the worker has no request to take the host from.
LOGIN_URL = "alerts:login"
LOGIN_REDIRECT_URL = "alerts:account"
LOGOUT_REDIRECT_URL = "overview"
ALERTS_TICK_SECONDS = env.float("ALERTS_TICK_SECONDS", default=5.0)  # how often the worker reads the feed
ALERTS_LEASE_SECONDS = env.float("ALERTS_LEASE_SECONDS", default=60.0)  # a claimed delivery is retried after this
ALERTS_WEBHOOK_TIMEOUT = env.float("ALERTS_WEBHOOK_TIMEOUT", default=10.0)  # seconds for a receiver to answer
ALERTS_BACKOFF_SECONDS = env.float("ALERTS_BACKOFF_SECONDS", default=60.0)  # first retry; doubles each attempt
ALERTS_BACKOFF_MAX_SECONDS = env.float("ALERTS_BACKOFF_MAX_SECONDS", default=6 * 3600.0)
ALERTS_MAX_ATTEMPTS = env.int("ALERTS_MAX_ATTEMPTS", default=12)  # then the delivery is marked failed
ALERTS_WEBHOOK_DISABLE_AFTER = env.int("ALERTS_WEBHOOK_DISABLE_AFTER", default=15)  # consecutive failed attempts
# Webhooks to loopback and private addresses (allowed on a laptop, refused in production: no probing the LAN).
ALERTS_WEBHOOK_ALLOW_PRIVATE = env.bool("ALERTS_WEBHOOK_ALLOW_PRIVATE", default=not PRODUCTION)
# The worker's daily run (alerts.schedule): after this time of day (site time, HH:MM; empty: never) the first
# round drains the change feed and makes the day's release; a claim older than the lease may be taken over.
RELEASES_DAILY_AT = env.str("RELEASES_DAILY_AT", default="03:00")
RELEASES_LEASE_SECONDS = env.float("RELEASES_LEASE_SECONDS", default=3 * 3600.0)
# Each round of the worker (about once a second) publishes up to this many marks (what writes, bulk imports and
# raw SQL left; `common.derived.drain`) before reading the feed; 0: the worker publishes nothing (requests and
# `publish_changes` still do).
WORKER_PUBLISH_LIMIT = env.int("WORKER_PUBLISH_LIMIT", default=5000)
# --- end of alerts and webhooks ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
