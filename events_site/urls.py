"""The site's URLs: every app is mounted here, above the apps; the core's catch-all comes last."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from events_site.accounts import views as account_views
from events_site.congresses import views as core_views
from events_site.congresses.rate_limits import limit_posts


def _reset_email(request) -> str:
    return str(request.POST.get("email", "")).strip().lower()[:254]


api_v1 = [
    path("", include("events_site.congresses.api_urls")),
    path("", include("registrations.api_urls")),
    path("", include("registrations.payments.api_urls")),
    path("", include("sessions.api_urls")),
    path("", include("badges.api_urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Sign-in and password reset, limited per client address (and per e-mail for resets);
    # the rest of django.contrib.auth's pages as they come.
    path(
        "accounts/login/",
        # One step, or two when the account has an authenticator app (the code step counts
        # wrong codes per address and account itself: RATE_LIMITS "two_factor*").
        limit_posts(("sign_in", None))(account_views.SignInView.as_view()),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        limit_posts(("password_reset", None), ("password_reset_email", _reset_email))(
            auth_views.PasswordResetView.as_view()
        ),
        name="password_reset",
    ),
    path("accounts/", include("events_site.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("registrations.payments.urls")),
    path("", include("registrations.urls")),
    path("", include("sessions.urls")),
    path("", include("badges.urls")),
    path("", include("events_site.congresses.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ a refusal is JSON even when no route matches (the schema documents it so).
handler400 = "events_site.congresses.error_views.bad_request"
handler404 = "events_site.congresses.error_views.page_not_found"
