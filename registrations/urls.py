from django.urls import path

from . import (
    bulk_pages,
    document_views,
    focal_point_views,
    hold_views,
    mail_template_pages,
    member_views,
    order_pages,
    outbox_pages,
    personal_data_views,
    question_pages,
    saved_filter_pages,
    settings_pages,
    type_pages,
    views,
    visa_pages,
    voucher_pages,
    waiting_list_pages,
)

app_name = "registrations"

order = "<slug:congress_slug>/orders/<str:code>/<str:secret>/"
my_data = "<slug:congress_slug>/my-data/<str:delegate_secret>/"
personal_data = "<slug:congress_slug>/manage/personal-data/"
types = "<slug:congress_slug>/manage/registrations/types/"
members = "<slug:congress_slug>/manage/registrations/members/"
vouchers = "<slug:congress_slug>/manage/registrations/vouchers/"
voucher = f"{vouchers}<int:voucher_id>/"
questions = "<slug:congress_slug>/manage/registrations/questions/"
waiting = "<slug:congress_slug>/manage/registrations/waiting-list/"
waiting_entry = f"{waiting}<int:entry_id>/"
emails = "<slug:congress_slug>/manage/emails/"
outbox = f"{emails}outbox/"
email = f"{emails}<str:key>/<str:language>/"
manage_order = "<slug:congress_slug>/manage/registrations/orders/<str:code>/"
bulk = "<slug:congress_slug>/manage/registrations/bulk/"
bulk_job = f"{bulk}jobs/<int:bulk_job_id>/"

documents = "<slug:congress_slug>/documents/<str:delegate_secret>/"
visa_manage = "<slug:congress_slug>/manage/visa-letters/"
certificates_manage = "<slug:congress_slug>/manage/certificates/"

urlpatterns = [
    # The short address printed under a document's QR code.
    path("v/<str:token>/", document_views.verify, name="verify_document"),
    path(documents, document_views.visa_letter, name="visa_letter"),
    path(f"{documents}visa-letter.pdf", document_views.visa_letter_pdf, name="visa_letter_pdf"),
    path(
        f"{documents}certificates/", document_views.certificate_request, name="certificate_request"
    ),
    path(
        f"{documents}certificates/<str:kind>.pdf",
        document_views.certificate_pdf,
        name="certificate_pdf",
    ),
    path(
        "<slug:congress_slug>/visa-focal-point/<str:focal_secret>/",
        focal_point_views.focal_point_page,
        name="visa_focal_point",
    ),
    path(visa_manage, visa_pages.queue, name="manage_visa_letters"),
    path(f"{visa_manage}bulk/", visa_pages.bulk, name="manage_visa_letters_bulk"),
    path(f"{visa_manage}rules/", visa_pages.apply_rules, name="manage_visa_letters_rules"),
    path(f"{visa_manage}export/", visa_pages.export, name="manage_visa_letters_export"),
    path(f"{visa_manage}<int:request_id>/", visa_pages.detail, name="manage_visa_letter"),
    path(
        f"{visa_manage}<int:request_id>/letter.pdf",
        visa_pages.letter_pdf,
        name="manage_visa_letter_pdf",
    ),
    path(
        "<slug:congress_slug>/manage/documents/settings/",
        visa_pages.document_settings,
        name="manage_document_settings",
    ),
    path(certificates_manage, visa_pages.certificate_list, name="manage_certificates"),
    path(
        f"{certificates_manage}issue/",
        visa_pages.certificates_issue,
        name="manage_certificates_issue",
    ),
    path(
        f"{certificates_manage}<int:certificate_id>/revoke/",
        visa_pages.certificate_revoke,
        name="manage_certificate_revoke",
    ),
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
        "<slug:congress_slug>/manage/registrations/filters/",
        saved_filter_pages.filter_save,
        name="manage_filter_save",
    ),
    path(
        "<slug:congress_slug>/manage/registrations/filters/<int:filter_id>/delete/",
        saved_filter_pages.filter_delete,
        name="manage_filter_delete",
    ),
    path(
        "<slug:congress_slug>/manage/registrations/export.<str:fmt>",
        views.manage_export,
        name="manage_export",
    ),
    # bulk actions on a selection of the list or the approval queue
    path(bulk, bulk_pages.bulk_action, name="manage_bulk"),
    path(f"{bulk}jobs/", bulk_pages.bulk_jobs, name="manage_bulk_jobs"),
    path(bulk_job, bulk_pages.bulk_job, name="manage_bulk_job"),
    path(f"{bulk_job}progress.json", bulk_pages.bulk_job_progress, name="manage_bulk_job_progress"),
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
        "<slug:congress_slug>/manage/registrations/settings/",
        settings_pages.manage_settings,
        name="manage_settings",
    ),
    path(
        "<slug:congress_slug>/manage/registrations/settings/reset/",
        settings_pages.manage_settings_reset,
        name="manage_settings_reset",
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
    # registration types
    path(emails, mail_template_pages.email_list, name="manage_emails"),
    # the outbox (before the automatic e-mails' <key>/<language>/, which "outbox/new/" matches)
    path(outbox, outbox_pages.outbox_history, name="manage_outbox"),
    path(f"{outbox}new/", outbox_pages.outbox_compose, name="manage_outbox_compose"),
    path(f"{outbox}<int:message_id>/", outbox_pages.outbox_message, name="manage_outbox_message"),
    path(email, mail_template_pages.email_edit, name="manage_email_edit"),
    path(f"{email}reset/", mail_template_pages.email_reset, name="manage_email_reset"),
    path(types, type_pages.type_list, name="manage_types"),
    path(f"{types}new/", type_pages.type_edit, name="manage_type_new"),
    path(f"{types}<int:type_id>/", type_pages.type_edit, name="manage_type_edit"),
    path(f"{types}<int:type_id>/move/", type_pages.type_move, name="manage_type_move"),
    path(f"{types}<int:type_id>/delete/", type_pages.type_delete, name="manage_type_delete"),
    path(members, member_views.manage_members, name="manage_members"),
    path(f"{members}export.csv", member_views.manage_members_export, name="manage_members_export"),
    path(f"{members}new/", member_views.manage_member_edit, name="manage_member_new"),
    path(
        f"{members}<int:member_id>/edit/",
        member_views.manage_member_edit,
        name="manage_member_edit",
    ),
    path(
        f"{members}<int:member_id>/delete/",
        member_views.manage_member_delete,
        name="manage_member_delete",
    ),
    path(
        f"{members}<int:member_id>/visa-focal-point/",
        member_views.manage_member_focal_point,
        name="manage_member_focal_point",
    ),
    path(
        f"{members}<int:member_id>/visa-focal-point/send/",
        member_views.manage_member_focal_point_send,
        name="manage_member_focal_point_send",
    ),
    path(f"{members}import/", member_views.manage_members_import, name="manage_members_import"),
    path(
        f"{members}import/preview/",
        member_views.manage_members_import_preview,
        name="manage_members_import_preview",
    ),
    # vouchers (organisers)
    path(vouchers, voucher_pages.voucher_list, name="manage_vouchers"),
    path(f"{vouchers}export.csv", voucher_pages.voucher_export, name="manage_vouchers_export"),
    path(f"{vouchers}new/", voucher_pages.voucher_new, name="manage_voucher_new"),
    path(f"{vouchers}batch/", voucher_pages.voucher_batch, name="manage_voucher_batch"),
    path(voucher, voucher_pages.voucher_edit, name="manage_voucher_edit"),
    path(
        f"{voucher}redemptions/",
        voucher_pages.voucher_redemptions,
        name="manage_voucher_redemptions",
    ),
    path(
        f"{voucher}deactivate/",
        voucher_pages.voucher_deactivate,
        name="manage_voucher_deactivate",
    ),
    path(
        f"{voucher}reactivate/",
        voucher_pages.voucher_reactivate,
        name="manage_voucher_reactivate",
    ),
    path(f"{voucher}delete/", voucher_pages.voucher_delete, name="manage_voucher_delete"),
    # one order, and the approval queue (organisers)
    path(
        "<slug:congress_slug>/manage/registrations/approvals/",
        order_pages.approval_queue,
        name="manage_approvals",
    ),
    path(manage_order, order_pages.order_page, name="manage_order"),
    path(f"{manage_order}approve/", order_pages.order_approve, name="manage_order_approve"),
    path(f"{manage_order}reject/", order_pages.order_reject, name="manage_order_reject"),
    path(f"{manage_order}cancel/", order_pages.order_cancel, name="manage_order_cancel"),
    path(f"{manage_order}notes/", order_pages.order_note, name="manage_order_note"),
    path(f"{manage_order}hold/", order_pages.order_extend_hold, name="manage_order_hold"),
    path(f"{manage_order}resend/", order_pages.order_resend, name="manage_order_resend"),
    path(
        f"{manage_order}emails/<int:email_id>/resend/",
        outbox_pages.order_email_resend,
        name="manage_order_email_resend",
    ),
    path(
        f"{manage_order}delegates/<int:delegate_id>/",
        order_pages.delegate_edit,
        name="manage_order_delegate",
    ),
    path(f"{manage_order}delegates/add/", order_pages.delegate_add, name="manage_order_add"),
    path(
        f"{manage_order}delegates/<int:delegate_id>/type/",
        order_pages.delegate_change_type,
        name="manage_order_delegate_type",
    ),
    path(
        f"{manage_order}delegates/<int:delegate_id>/cancel/",
        order_pages.delegate_cancel,
        name="manage_order_delegate_cancel",
    ),
    path(questions, question_pages.question_list, name="manage_questions"),
    path(f"{questions}new/", question_pages.question_edit, name="manage_question_new"),
    path(
        f"{questions}new/preview/",
        question_pages.question_preview,
        name="manage_question_new_preview",
    ),
    path(
        f"{questions}<int:question_id>/",
        question_pages.question_edit,
        name="manage_question_edit",
    ),
    path(
        f"{questions}<int:question_id>/preview/",
        question_pages.question_preview,
        name="manage_question_preview",
    ),
    path(
        f"{questions}<int:question_id>/move/",
        question_pages.question_move,
        name="manage_question_move",
    ),
    path(
        f"{questions}<int:question_id>/stop/",
        question_pages.question_stop,
        name="manage_question_stop",
    ),
    path(
        f"{questions}<int:question_id>/delete/",
        question_pages.question_delete,
        name="manage_question_delete",
    ),
    # the waiting list (organisers)
    path(waiting, waiting_list_pages.waiting_list, name="manage_waiting_list"),
    path(
        f"{waiting_entry}offer/",
        waiting_list_pages.waiting_list_offer,
        name="manage_waiting_list_offer",
    ),
    path(
        f"{waiting_entry}extend/",
        waiting_list_pages.waiting_list_extend,
        name="manage_waiting_list_extend",
    ),
    path(
        f"{waiting_entry}withdraw/",
        waiting_list_pages.waiting_list_withdraw,
        name="manage_waiting_list_withdraw",
    ),
    path(
        f"{waiting_entry}remove/",
        waiting_list_pages.waiting_list_remove,
        name="manage_waiting_list_remove",
    ),
]
