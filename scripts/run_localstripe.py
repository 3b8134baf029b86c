"""Start the localstripe Stripe emulator for the demo and the tests, on loopback only.

    .venv/bin/python scripts/run_localstripe.py [--port 8420] [--webhook-url URL]
                                                [--webhook-secret SECRET]

- binds 127.0.0.1 (localstripe's own launcher listens on every interface);
- keeps its state in memory (localstripe's launcher pickles to a shared /tmp file);
- registers Convene's webhook endpoint in-process, so events reach
  ``/payments/stripe/webhook/`` signed with STRIPE_WEBHOOK_SECRET exactly like Stripe's;
- honours ``Idempotency-Key`` as Stripe does (localstripe ignores it): a POST sent again with a
  key already used answers the first response, and with other parameters a 400
  ``idempotency_error``, so a retry after a crash is tested against Stripe's real behaviour.

Then point Convene at it: STRIPE_SECRET_KEY=sk_test_..., STRIPE_API_BASE=http://127.0.0.1:8420,
STRIPE_JS_URL=http://127.0.0.1:8420/js.stripe.com/v3/, STRIPE_WEBHOOK_SECRET=<same secret>.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os


def idempotency_middleware():
    """Stripe's idempotent requests: the first successful answer to a POST with a given
    ``Idempotency-Key`` is replayed for every later POST with that key and the same body."""
    from aiohttp import web

    answered: dict[str, tuple[str, int, str]] = {}

    @web.middleware
    async def replay(request, handler):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return await handler(request)
        fingerprint = request.path + hashlib.sha256(await request.read()).hexdigest()
        if key in answered:
            first, status, text = answered[key]
            if first != fingerprint:
                return web.json_response(
                    {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with the "
                            "same parameters they were first used with.",
                        }
                    },
                    status=400,
                )
            return web.Response(
                status=status,
                text=text,
                content_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )
        response = await handler(request)
        if 200 <= response.status < 300:
            answered[key] = (fingerprint, response.status, response.text)
        return response

    return replay


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOCALSTRIPE_PORT", 8420)))
    site = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    parser.add_argument("--webhook-url", default=f"{site}/payments/stripe/webhook/")
    parser.add_argument("--webhook-secret", default=os.environ.get("STRIPE_WEBHOOK_SECRET", ""))
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args()

    import localstripe.resources as resources
    from aiohttp import web
    from localstripe.server import app
    from localstripe.webhooks import register_webhook

    resources.Store.dump_to_disk = lambda self: None  # in memory only
    app.middlewares.append(idempotency_middleware())
    if args.webhook_secret:
        register_webhook("convene", args.webhook_url, args.webhook_secret, None)
        print(f"localstripe: webhooks -> {args.webhook_url}", flush=True)
    access_log = None
    if not args.quiet:
        access_log = logging.getLogger("aiohttp.access")
        access_log.setLevel(logging.INFO)
        access_log.addHandler(logging.StreamHandler())
    print(f"localstripe: listening on http://{args.host}:{args.port}", flush=True)
    web.run_app(app, host=args.host, port=args.port, access_log=access_log, print=None)


if __name__ == "__main__":
    main()
