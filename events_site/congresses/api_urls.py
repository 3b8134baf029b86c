from django.urls import path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("congresses", api.CongressViewSet, basename="congress")

urlpatterns = router.urls + [
    path(
        "congresses/<slug:congress_slug>/venues/",
        api.VenueViewSet.as_view({"get": "list"}),
        name="venue-list",
    ),
]
