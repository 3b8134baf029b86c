#!/usr/bin/env bash
# The demo: SQLite database in the project, the demo congress, a task worker and the scheduler
# of periodic jobs, the Stripe emulator on loopback (card payments work offline with the test
# card 4242 4242 4242 4242) and the web server on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
export DJANGO_SETTINGS_MODULE=events_site.settings
export DEBUG="${DEBUG:-1}"
export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-sk_test_convene_demo}"
export STRIPE_PUBLISHABLE_KEY="${STRIPE_PUBLISHABLE_KEY:-pk_test_convene_demo}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_convene_demo}"
export STRIPE_API_BASE="${STRIPE_API_BASE:-http://127.0.0.1:8420}"
export STRIPE_JS_URL="${STRIPE_JS_URL:-http://127.0.0.1:8420/js.stripe.com/v3/}"
port="${PORT:-8000}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

[ -d locale ] && $bin/python manage.py compilemessages --ignore='.venv/*' -v 0
$bin/python manage.py migrate --noinput -v 0
$bin/python manage.py seed_demo

if ! (exec 3<>/dev/tcp/127.0.0.1/8420) 2>/dev/null; then
  SITE_URL="http://127.0.0.1:${port}" scripts/localstripe --port 8420 --quiet \
    >/tmp/convene-localstripe.log 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8420) 2>/dev/null && break; sleep 0.1; done
fi

$bin/python manage.py db_worker --queue-name '*' >/tmp/convene-worker.log 2>&1 &
pids+=($!)
# Periodic jobs (settings.PERIODIC_TASKS), enqueued for the worker above: seat holds, payment
# reminders, and the reconciliation every minute here (the emulator sends no refund events).
RECONCILE_PAYMENTS_MINUTES="${RECONCILE_PAYMENTS_MINUTES:-1}" \
  $bin/python manage.py run_scheduler >/tmp/convene-scheduler.log 2>&1 &
pids+=($!)

echo
echo "Convene demo: http://127.0.0.1:${port}/  (organiser sign-in: http://127.0.0.1:${port}/accounts/login/)"
echo "Sign in as 'organiser' with password 'convene-demo'. Stop with Ctrl+C."
$bin/python manage.py runserver "127.0.0.1:${port}"
