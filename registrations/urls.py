from django.urls import path

from . import hold_views, personal_data_views, views

app_name = "registrations"

order = "<slug:congress_slug>/orders/<str:code>/<str:secret>/"
my_data = "<slug:congress_slug>/my-data/<str:delegate_secret>/"
personal_data = "<slug:congress_slug>/manage/personal-data/"

urlpatterns = [
    path("<slug:congress_slug>/register/", views.start, name="start"),
    path("<slug:congress_slug>/register/details/", views.details, name="details"),
    path("<slug:congress_slug>/register/waiting-list/", views.waiting_list, name="waiting_list"),
    path(order, views.order_detail, name="order"),
    path(f"{order}confirmation.pdf", views.order_pdf, name="order_pdf"),
    path(f"{order}cancel/", views.order_cancel, name="order_cancel"),
    path(
        f"{order}delegates/<str:delegate_secret>/edit/",
        views.delegate_edit,
        name="delegate_edit",
    ),
    path(
        f"{order}delegates/<str:delegate_secret>/cancel/",
        views.delegate_cancel,
        name="delegate_cancel",
    ),
    path("<slug:congress_slug>/manage/registrations/", views.manage_list, name="manage_list"),
    path(
        "<slug:congress_slug>/manage/registrations/export.<str:fmt>",
        views.manage_export,
        name="manage_export",
    ),
    # personal data: the delegate's own link, then the organisers' page
    path(my_data, personal_data_views.my_data, name="my_data"),
    path(f"{my_data}export.json", personal_data_views.my_data_export, name="my_data_export"),
    path(f"{my_data}erase/", personal_data_views.my_data_erase, name="my_data_erase"),
    path(personal_data, personal_data_views.manage, name="manage_personal_data"),
    path(
        f"{personal_data}retention/",
        personal_data_views.manage_retention,
        name="manage_retention",
    ),
    path(
        f"{personal_data}delegates/<int:delegate_id>/erase/",
        personal_data_views.manage_erase,
        name="manage_erase",
    ),
    path(
        f"{personal_data}delegates/<int:delegate_id>/export.json",
        personal_data_views.manage_export,
        name="manage_personal_data_export",
    ),
    path(
        "<slug:congress_slug>/manage/registrations/holds/",
        hold_views.manage_holds,
        name="manage_holds",
    ),
    path(
        "<slug:congress_slug>/manage/registrations/holds/caps/",
        hold_views.manage_hold_caps,
        name="manage_hold_caps",
    ),
    path(
        "<slug:congress_slug>/manage/registrations/holds/release/",
        hold_views.manage_hold_release,
        name="manage_hold_release",
    ),
]
