from django.urls import path

from . import layout_pages, views

app_name = "badges"

urlpatterns = [
    path("<slug:congress_slug>/manage/checkin/", views.checkin_desk, name="checkin"),
    path(
        "<slug:congress_slug>/manage/checkin/refused/",
        views.refused_scans,
        name="refused_scans",
    ),
    path(
        "<slug:congress_slug>/manage/checkin/<int:delegate_id>/",
        views.checkin_person,
        name="checkin_person",
    ),
    path(
        "<slug:congress_slug>/manage/checkin/<int:delegate_id>/print/",
        views.checkin_and_print,
        name="checkin_print",
    ),
    path("<slug:congress_slug>/manage/badges/", views.print_batches, name="print"),
    path("<slug:congress_slug>/manage/badges/layouts/", layout_pages.layout_list, name="layouts"),
    path(
        "<slug:congress_slug>/manage/badges/layouts/new/",
        layout_pages.layout_new,
        name="layout_new",
    ),
    path(
        "<slug:congress_slug>/manage/badges/layouts/<int:layout_id>/",
        layout_pages.layout_edit,
        name="layout_edit",
    ),
    path(
        "<slug:congress_slug>/manage/badges/layouts/<int:layout_id>/delete/",
        layout_pages.layout_delete,
        name="layout_delete",
    ),
    path(
        "<slug:congress_slug>/manage/badges/layouts/<int:layout_id>/preview.png",
        layout_pages.layout_preview,
        name="layout_preview",
    ),
    path(
        "<slug:congress_slug>/manage/badges/jobs/<int:job_id>/",
        views.print_job,
        name="print_job",
    ),
    path(
        "<slug:congress_slug>/manage/badges/jobs/<int:job_id>/retry/",
        views.retry_print_job,
        name="print_job_retry",
    ),
    path(
        "<slug:congress_slug>/manage/badges/jobs/<int:job_id>/download/",
        views.print_job_download,
        name="print_job_download",
    ),
    path(
        "<slug:congress_slug>/manage/badges/<int:badge_id>/reissue/",
        views.reissue_badge,
        name="reissue",
    ),
    path(
        "<slug:congress_slug>/manage/badges/<int:badge_id>/reprint/",
        views.reprint_badge,
        name="reprint",
    ),
]
