from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
prefix = r"congresses/(?P<congress_slug>[-\w]+)"
router.register(f"{prefix}/registration-types", api.RegistrationTypeViewSet, "registration-type")
router.register(f"{prefix}/orders", api.OrderViewSet, "order")
router.register(f"{prefix}/delegates", api.DelegateViewSet, "delegate")
router.register(f"{prefix}/registration-figures", api.FiguresViewSet, "registration-figures")
router.register(
    f"{prefix}/member-organisations", api.MemberOrganisationViewSet, "member-organisation"
)

urlpatterns = router.urls
