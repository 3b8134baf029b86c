"""The programme widget in Chromium, on a page served from another origin with a strict
Content-Security-Policy: the script variant draws the programme from the public API, the
iframe variant loads where the congress allows it and is refused elsewhere; and the organiser
page that sets it up. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from sessions import services
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WCG 2027 – our own website</title>
<link rel="stylesheet" href="{site}/static/agenda/widget.css"></head>
<body><h1>World Congress 2027</h1>
<h2>Programme (script)</h2>
<div id="script-widget" data-convene-programme="{site}/api/v1/congresses/wcg-2027/public/"></div>
<h2>Programme (frame)</h2>
<iframe id="frame-widget" src="{site}/wcg-2027/widget/" title="Programme" width="600" height="300">
</iframe>
<script src="{site}/static/agenda/widget.js" defer></script>
</body></html>"""


def _host_server(site: str):
    """A tiny web server of the congress's "own website" on another origin, whose strict CSP
    lets in only what the widget needs from the Convene site (no inline script or style)."""
    policy = (
        f"default-src 'none'; script-src {site}; connect-src {site}; style-src {site}; "
        f"frame-src {site}; img-src {site}"
    )
    body = HOST_PAGE.format(site=site).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def programme(congress, alice, make_session, small_room, ana, kenji):
    make_session(title="Opening plenary", speakers=[(ana, "speaker")])
    make_session(title="Heat maps", start=(11, 0), room=small_room, speakers=[(kenji, "speaker")])
    services.publish_schedule(congress=congress, by=alice)


@pytest.fixture
def host(live_server, settings):
    settings.SITE_URL = live_server.url
    server = _host_server(live_server.url)
    yield server
    server.shutdown()
    server.server_close()


def test_both_variants_render_on_another_origin_that_the_congress_allows(
    page, live_server, congress, alice, programme, host
):
    port = host.server_address[1]
    services.save_widget_origins(congress=congress, by=alice, origins=[f"http://127.0.0.1:{port}"])
    refusals = []
    page.on("console", lambda message: refusals.append(message.text))
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(f"http://127.0.0.1:{port}/")

    sessions = page.locator("#script-widget .convene-widget-session a")
    expect(sessions).to_have_count(2)
    expect(sessions.first).to_have_text("Opening plenary")
    expect(page.locator("#script-widget")).to_contain_text("Times in Asia/Seoul")
    expect(page.locator("#script-widget")).to_contain_text("山田 健二")

    frame = page.frame_locator("#frame-widget")
    expect(frame.locator(".convene-widget-session a").first).to_have_text("Opening plenary")
    expect(frame.locator("body")).to_contain_text("Heat maps")
    assert not [text for text in refusals if "Content Security Policy" in text]
    screenshot(page, "widget-on-another-site.png")


def test_the_frame_is_refused_on_a_site_the_congress_does_not_list(
    page, live_server, congress, alice, programme, host
):
    port = host.server_address[1]
    services.save_widget_origins(congress=congress, by=alice, origins=["https://elsewhere.example"])
    refusals = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(f"http://127.0.0.1:{port}/")
    # the script variant needs no permission: the public API may be read from anywhere
    expect(page.locator("#script-widget .convene-widget-session")).to_have_count(2)
    expect(page.locator("#frame-widget")).to_be_attached()
    page.wait_for_load_state("load")
    expect(page.frame_locator("#frame-widget").locator(".convene-widget-session")).to_have_count(0)
    assert any("frame-ancestors" in text for text in refusals), refusals


def test_an_organiser_lists_a_site_and_copies_the_snippets(page, live_server, congress, programme):
    pia = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=pia, role="programme")
    page = signed_in(page, live_server, pia, height=1400)
    page.goto(f"{live_server.url}/{congress.slug}/manage/agenda/")
    page.get_by_role("link", name="Screens and widget").first.click()
    expect(page.get_by_role("heading", name="Screens and widget", exact=True)).to_be_visible()
    expect(page.locator("#screens")).to_contain_text("Hall A")
    page.fill("#id_origins", "https://www.wcg.example\nnot a site")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#widget-sites")).to_contain_text("“not a site” is not a site address")
    page.fill("#id_origins", "https://www.wcg.example")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("are saved")
    expect(page.locator("#widget-sites")).to_contain_text("Now allowed: https://www.wcg.example")
    expect(page.locator("[data-snippet=script]")).to_contain_text("data-convene-programme")
    preview = page.frame_locator("#widget-preview iframe")
    expect(preview.locator(".convene-widget-session a").first).to_have_text("Opening plenary")
    screenshot(page, "agenda-screens-and-widget.png")
