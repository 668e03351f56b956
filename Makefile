# The verbs a newcomer needs. Everything runs inside .venv, created on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
# The test runs keep Python's compiled modules and pytest's rewritten test modules (__pycache__, ignored by git) even
# where PYTHONDONTWRITEBYTECODE is set: compiling and rewriting every module again cost ~6 s of CPU per test process.
BYTECODE := PYTHONDONTWRITEBYTECODE=

.PHONY: run worker test check lint format install migrate demo bench bench-writes bench-smoke loadtest backup restore serve-prod cluster cluster-stop clean messages compilemessages

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Languages (README "Languages"): the catalogues' sources, locale/<lang>/LC_MESSAGES/django.po, are edited by hand and
## committed; the compiled django.mo files are built from them here (never committed, see .gitignore) before
## anything runs. `make messages` refreshes every .po from the code; LANGS=uk adds a new language's file.
LANGS ?= $(notdir $(wildcard locale/*))
MESSAGES_IGNORE := --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench --ignore=var --ignore=docs

messages: install
	@command -v xgettext >/dev/null || { echo "gettext is needed: apt-get install gettext"; exit 2; }
	$(PY) manage.py makemessages $(addprefix -l ,$(LANGS)) --add-location=file --no-obsolete $(MESSAGES_IGNORE)

compilemessages: install
	@command -v msgfmt >/dev/null || { echo "gettext is needed: apt-get install gettext"; exit 2; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles -v0

migrate: compilemessages
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --starter
	$(PY) manage.py build_dump  # /api/v1/dump/ serves a built file, never builds one in a request

## Serve the site with the demo cases on http://127.0.0.1:$(PORT)
run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The alerts and webhooks worker (optional, a second process beside `make run`): reads the change feed, sends
## email alerts and signed webhook POSTs, retries. Stop with Ctrl+C; nothing is lost (see README, "Alerts and webhooks")
worker: migrate
	$(PY) manage.py alerts_worker

## The whole test suite on every core (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
test: compilemessages
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(BYTECODE) $(PY) -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup --durations=20

## The edit-test loop: lint, the migrations check and the unit tier (no browser, no server, no schemathesis, no
## cluster), with hypothesis' quick `dev` profile. The lint and the migrations check run beside the tests' start-up
## and all three must pass; pytest's plugins for schemathesis, anyio and faker are not loaded (nothing in the tier
## uses them; loading them costs every test process seconds of CPU). `slow` marks the integration tests (subprocesses,
## servers, whole-app state machines, whole-dataset loads, generated datasets and differential tests), which
## `make test` runs. The tier: ~1,275 tests, 231 s of CPU and 2 min 8 s on 2 quiet cores (round 7); 351 s of CPU at
## load 9-18 on a shared machine after round 8 (h43), which moved 3 more integration tests to `slow`, each with a fast
## test of the same behaviour left here; 198 s of CPU at load 12-20 after round 9 (h49: one put-back of the demo per
## module's run of tests, each test a savepoint; ~239 s before), ~75 s estimated on 2 quiet cores. Round 10 (h58): 241 s
## of CPU (17 min 29 s wall, load 11-18) before, 216 s (10 min 53 s wall, load 21 falling to 4) after, on a shared
## machine; the tier's two costliest tests take a sample here, the whole in `make test`. Not yet the minute aimed at
## (~110 s of CPU). See README, "Suite times".
check: compilemessages
	@$(PY) -m ruff check . & lint=$$!; \
	$(BYTECODE) $(PY) manage.py makemigrations --check --dry-run & migrations=$$!; \
	HYPOTHESIS_PROFILE=dev $(BYTECODE) $(PY) -m pytest -n $${PYTEST_WORKERS:-auto} --dist loadgroup -q \
	  -p no:schemathesis -p no:anyio -p no:faker -m "not e2e and not schemathesis and not cluster and not slow"; \
	tests=$$?; wait $$lint; lint=$$?; wait $$migrations; migrations=$$?; \
	echo "make check: lint $$(test $$lint = 0 && echo passed || echo FAILED)," \
	  "migrations check $$(test $$migrations = 0 && echo passed || echo FAILED)," \
	  "tests $$(test $$tests = 0 && echo passed || echo FAILED)"; \
	test $$lint = 0 && test $$migrations = 0 && test $$tests = 0

## The benchmark of issue 21 in one run against N synthetic cases on PostgreSQL (N=100,000 unless BENCH_N is set;
## generated once into BENCH_DATABASE_URL): first visits cold and warm beside Datasette 0.65 (installed in
## bench/.venv-datasette), wrk throughput, the documents' rebuild and the write costs (both on a scratch copy made and
## dropped by the run), and the growth from 2,000 and 20,000 cases (tracker_bench_2k/_20k, generated once) to N.
## Writes bench/results/bench-<time>.json and .txt. BENCH_ARGS: --skip-rebuild, --skip-writes, --skip-growth,
## --skip-throughput, --only first-visit,growth, --resume bench/results/bench-<time>.json, --no-cache (see run.py -h).
bench: compilemessages
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker_bench} \
	  $(PY) bench/run.py --detainees $${BENCH_N:-100000} --seconds $${BENCH_SECONDS:-5} $(BENCH_ARGS)

## Write costs alone (bench/writes.py, also part of `make bench`): PATCH/POST p50/p95 with their derived state, 10
## concurrent writers, the CSV. It writes: point BENCH_WRITES_DATABASE_URL at a copy of a large database, never at one
## you keep.
bench-writes: compilemessages
	DATABASE_URL=$${BENCH_WRITES_DATABASE_URL:?a copy of a large database, e.g. postgres://postgres@127.0.0.1:5432/tracker_bench_writes} \
	  $(PY) bench/writes.py $(BENCH_ARGS)

## The benchmark at 2,000 cases in its own database, in CI: first visits cold and warm (5 URLs a set, no Datasette)
## and the throughput table (one second per run); fails if any request fails, judges no timing
bench-smoke: compilemessages
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }
	DATABASE_URL=$${BENCH_SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker_bench_smoke} \
	  $(PY) bench/run.py --detainees 2000 --smoke --workers 2

## Load and faults (50 clients, concurrent writers, a PostgreSQL restart) against gunicorn on loopback
loadtest: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tracker_bench} $(PY) bench/load_faults.py

## Write the whole dataset (drafts included) to backups/ (owner-only: 0700, files 0600); restore with `make restore FILE=...`
backup: migrate
	@mkdir -p -m 0700 backups && chmod 0700 backups
	$(PY) manage.py export_dataset backups/dataset-$$(date -u +%Y%m%dT%H%M%SZ).json

## Load a backup into an empty database (after `make migrate` on a fresh one); all or nothing
restore: migrate
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/dataset-....json"; exit 2; }
	$(PY) manage.py import_dataset "$(FILE)"

## The production setup, locally: gunicorn, DEBUG off, static files through whitenoise
serve-prod: migrate
	DJANGO_ENV=production SECRET_KEY=$${SECRET_KEY:-local-only-$$(cksum Makefile | cut -d' ' -f1)-not-for-real-use-0123456789abcdef} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-false} \
	sh -c '$(PY) manage.py collectstatic --noinput -v0 && exec $(VENV)/bin/gunicorn config.wsgi \
	  --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3} --access-logfile -'

## The production layout locally: HAProxy on :8160, two gunicorn servers, a streaming PostgreSQL replica on :5433
## (pg_createcluster + pg_basebackup of the cluster on :5432), Redis shared (ops/cluster.py; needs root, haproxy)
cluster: compilemessages
	$(PY) ops/cluster.py start

## Stop the servers, drop the replica and its replication slot (the database CLUSTER_DB stays)
cluster-stop: install
	$(PY) ops/cluster.py stop

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
