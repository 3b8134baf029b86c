from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("sessions", api.SessionViewSet, basename="agenda-session")
router.register("speakers", api.SpeakerViewSet, basename="agenda-speaker")
router.register("tracks", api.TrackViewSet, basename="agenda-track")
router.register("rooms", api.RoomViewSet, basename="agenda-room")

PREFIX = "congresses/<slug:congress_slug>/programme/"

urlpatterns = [
    path(PREFIX, api.ProgrammeView.as_view(), name="agenda-programme"),
    path(f"{PREFIX}conflicts/", api.ConflictsView.as_view(), name="agenda-conflicts"),
    path(f"{PREFIX}publish/", api.PublishView.as_view(), name="agenda-publish"),
    path(PREFIX, include(router.urls)),
]
