"""The site's URLs plus one trivial view for ``bench/congress_day.py``: ``/bench/trivial``
answers "ok" through the whole middleware stack with no database and no cache, the baseline
each request kind is compared with. The site itself has no such URL."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from events_site.urls import handler400, handler404  # noqa: F401 - the site's error pages
from events_site.urls import urlpatterns as site_urls


@require_safe
def trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), *site_urls]
