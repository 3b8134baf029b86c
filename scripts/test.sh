#!/usr/bin/env bash
# The whole test suite: lint, architecture contracts, migrations, then every test on SQLite
# and again on the local PostgreSQL (where the concurrency tests run).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export DJANGO_SETTINGS_MODULE=events_site.settings
unset DATABASE_URL TASKS_BACKEND

echo "== calendar clients (npm ci, pinned by package-lock.json)"
clients=tests/agenda/calendar_clients
[ "$clients/node_modules/.installed" -nt "$clients/package-lock.json" ] \
  || { npm ci --prefix "$clients" --no-audit --no-fund --loglevel=error \
       && touch "$clients/node_modules/.installed"; }
echo "== ruff"
$bin/ruff check .
$bin/ruff format --check .
echo "== import contracts"
$bin/lint-imports
echo "== migrations are complete"
$bin/python manage.py makemigrations --check --dry-run
echo "== translations compile"
[ -d locale ] && $bin/python manage.py compilemessages --ignore='.venv/*' -v 0
echo "== tests on SQLite"
$bin/pytest -n 2 --dist loadgroup "$@"
echo "== tests on PostgreSQL (database 'test' on ${POSTGRES_HOST:-127.0.0.1}:5432)"
# The URL walk (tests/walk) checks which answer each persona gets from each view, and the
# browser tests (marker "browser") drive the same views in Chromium: neither depends on the
# database, so they run once, on SQLite, and keep the suite's time down.
DATABASE_URL="postgres://postgres@${POSTGRES_HOST:-127.0.0.1}:5432/postgres" \
  TEST_DATABASE_NAME=test \
  $bin/pytest -n 2 --dist loadgroup --create-db --ignore=tests/walk -m "not browser" "$@"
