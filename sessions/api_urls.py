from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, cfp_api, public_api

router = SimpleRouter()
router.register("sessions", api.SessionViewSet, basename="agenda-session")
router.register("speakers", api.SpeakerViewSet, basename="agenda-speaker")
router.register("tracks", api.TrackViewSet, basename="agenda-track")
router.register("rooms", api.RoomViewSet, basename="agenda-room")

PREFIX = "congresses/<slug:congress_slug>/programme/"

# Calls for proposals, read-only (sessions/cfp_api.py): the programme team, and reviewers as
# their active review phase lets them see.
cfp = SimpleRouter()
cfp.register("calls", cfp_api.CfpCallViewSet, basename="agenda-cfp-call")
cfp.register("proposals", cfp_api.CfpProposalViewSet, basename="agenda-cfp-proposal")
CFP_PREFIX = "congresses/<slug:congress_slug>/cfp/"

# The public, read-only programme (sessions/public_api.py): anyone, published data only.
public = SimpleRouter()
public.register("sessions", public_api.PublicSessionViewSet, basename="agenda-public-session")
public.register(
    "contributions", public_api.PublicContributionViewSet, basename="agenda-public-contribution"
)
public.register("speakers", public_api.PublicSpeakerViewSet, basename="agenda-public-speaker")
public.register("rooms", public_api.PublicRoomViewSet, basename="agenda-public-room")
public.register("tracks", public_api.PublicTrackViewSet, basename="agenda-public-track")
public.register("formats", public_api.PublicFormatViewSet, basename="agenda-public-format")
public.register("seats", public_api.PublicSeatsViewSet, basename="agenda-public-seats")
public.register("versions", public_api.PublicVersionViewSet, basename="agenda-public-version")
public.register("changelog", public_api.PublicChangelogViewSet, basename="agenda-public-changelog")
PUBLIC_PREFIX = "congresses/<slug:congress_slug>/public/"

urlpatterns = [
    path(PREFIX, api.ProgrammeView.as_view(), name="agenda-programme"),
    path(f"{PREFIX}conflicts/", api.ConflictsView.as_view(), name="agenda-conflicts"),
    path(f"{PREFIX}publish/", api.PublishView.as_view(), name="agenda-publish"),
    path(PREFIX, include(router.urls)),
    path(PUBLIC_PREFIX, include(public.urls)),
    path(CFP_PREFIX, include(cfp.urls)),
]
