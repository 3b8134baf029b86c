"""A site that mounts the payment pages but not the registration pages (the order page)."""

from django.urls import include, path

urlpatterns = [path("", include("registrations.payments.urls"))]
