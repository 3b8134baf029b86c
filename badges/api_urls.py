from django.urls import path

from . import api

urlpatterns = [
    path(
        "congresses/<slug:congress_slug>/checkin/",
        api.CheckInView.as_view(),
        name="badges-api-checkin",
    ),
    path(
        "congresses/<slug:congress_slug>/checkin/lookup/",
        api.CheckInLookupView.as_view(),
        name="badges-api-checkin-lookup",
    ),
    path(
        "congresses/<slug:congress_slug>/checkin/search/",
        api.CheckInSearchView.as_view(),
        name="badges-api-checkin-search",
    ),
    path(
        "congresses/<slug:congress_slug>/checkin/refused/",
        api.RefusedScanListView.as_view(),
        name="badges-api-checkin-refused",
    ),
]
