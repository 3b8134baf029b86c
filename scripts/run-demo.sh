#!/usr/bin/env bash
# The demo: SQLite database in the project, the demo congress, a task worker, the Stripe
# emulator on loopback (card payments work offline with the test card 4242 4242 4242 4242)
# and the web server on http://127.0.0.1:8000.
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

$bin/python manage.py migrate --noinput -v 0
$bin/python manage.py seed_demo

if ! (exec 3<>/dev/tcp/127.0.0.1/8420) 2>/dev/null; then
  $bin/localstripe --port 8420 >/tmp/convene-localstripe.log 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8420) 2>/dev/null && break; sleep 0.1; done
fi
$bin/python - <<PY
import urllib.parse, urllib.request
data = urllib.parse.urlencode({
    "url": "http://127.0.0.1:${port}/payments/stripe/webhook/",
    "secret": "${STRIPE_WEBHOOK_SECRET}",
}).encode()
urllib.request.urlopen("http://127.0.0.1:8420/_config/webhooks/convene", data=data, timeout=5)
PY

$bin/python manage.py db_worker --queue-name '*' >/tmp/convene-worker.log 2>&1 &
pids+=($!)

echo
echo "Convene demo: http://127.0.0.1:${port}/  (organiser sign-in: http://127.0.0.1:${port}/accounts/login/)"
echo "Sign in as 'organiser' with password 'convene-demo'. Stop with Ctrl+C."
$bin/python manage.py runserver "127.0.0.1:${port}"
