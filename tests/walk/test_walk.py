"""Indico's test_unauthorized, with real objects: every URL pattern of the site (DRF routers
included) is walked as an anonymous visitor, a signed-in stranger, charlie (owner of congress B),
each narrower role of congress A and A's owner, on congress A's real objects.

A refusal must be told from "not found": a person without the role gets exactly 403 (an
anonymous visitor the sign-in page, or 401 from the API) on A's real objects, and A's owner
gets exactly 404 for congress B's real objects under A's slug. Which permission each route
needs is declared in ``ROUTES`` below (the matrix, checked against the roles of
``events_site/congresses/rules.py``); which object each URL keyword names is declared in
``PARAMETERS``. A new route, or a new keyword, fails here until it is added to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from badges.models import PrintJob
from events_site.congresses.enums import CongressStatus, Perm, Role
from events_site.congresses.models import Congress
from events_site.congresses.rules import ROLE_PERMISSIONS

from .world import Side

pytestmark = pytest.mark.django_db

# --- Who may do what -----------------------------------------------------------------------

# Beyond the permissions of ``Perm``, a route may be open to these:
ANYONE = "anyone"  # public pages, feeds, sign-in
SIGNED_IN = "signed-in"  # any account (the dashboard, the list of one's congresses)
SECRET_LINK = "secret-link"  # the delegate's side: whoever holds the order's or agenda's secret
TEAM = "team member"  # any role in the congress (API tokens: each member makes their own)


@dataclass(frozen=True)
class Route:
    """What a route needs, per method: a ``Perm`` value, one of the words above, or ``None``
    when the method is not accepted (405). ``gate`` is what the view checks before it looks
    at the method, so that a person without it is refused even for a method not accepted:
    DRF always does (the gate defaults to the GET, else the POST, requirement); a Django view
    only when its method check sits inside its permission check (``gate`` set explicitly),
    otherwise a method not accepted is a 405 for everyone."""

    get: str | None = None
    post: str | None = None
    patch: str | None = None  # API only: the walk sends an empty PATCH to every endpoint
    gate: str | None = None

    def needs(self, method: str) -> str | None:
        return {"GET": self.get, "POST": self.post, "PATCH": self.patch}[method]

    def gate_for(self, walked: Walked) -> str | None:
        if walked.is_api:
            return self.gate or self.get or self.post
        return self.gate


V, VR, MR = Perm.VIEW, Perm.VIEW_REGISTRATIONS, Perm.MANAGE_REGISTRATIONS
RP = Perm.REVIEW_PROPOSALS
VL = Perm.MANAGE_VISA_LETTERS
MP, MF, CI, MB, MC = (
    Perm.MANAGE_PROGRAMME,
    Perm.MANAGE_FINANCE,
    Perm.CHECK_IN,
    Perm.MANAGE_BADGES,
    Perm.MANAGE_CONGRESS,
)


def both(perm: str) -> Route:
    return Route(get=perm, post=perm)


def get_only(perm: str, gate: str | None = None) -> Route:
    return Route(get=perm, gate=gate)


def post_only(perm: str, gate: str | None = None) -> Route:
    return Route(post=perm, gate=gate)


# Route name (or pattern, for unnamed routes) -> what it needs. Extend this when adding a route.
ROUTES: dict[str, Route] = {
    # --- site, accounts, API documentation --------------------------------------------------
    "healthz": get_only(ANYONE),
    "login": both(ANYONE),
    "logout": post_only(ANYONE),
    "password_reset": both(ANYONE),
    "password_reset_done": get_only(ANYONE),
    "password_reset_confirm": both(ANYONE),
    "password_reset_complete": get_only(ANYONE),
    "password_change": both(SIGNED_IN),
    "password_change_done": get_only(SIGNED_IN, gate=SIGNED_IN),
    "accounts:reauth": both(SIGNED_IN),
    "accounts:two_factor": both(SIGNED_IN),
    "accounts:two_factor_setup": both(SIGNED_IN),
    "accounts:two_factor_verify": both(ANYONE),  # the second step of a sign-in in progress
    "accounts:two_factor_recovery_codes": both(SIGNED_IN),
    "accounts:two_factor_regenerate": post_only(SIGNED_IN),
    "accounts:two_factor_disable": both(SIGNED_IN),
    "set_language": both(ANYONE),
    "javascript-catalog": get_only(ANYONE),
    "api-schema": get_only(ANYONE),
    "api-docs": get_only(ANYONE),
    "payments:stripe_webhook": post_only(ANYONE),
    # --- the core ---------------------------------------------------------------------------
    "congresses:home": both(ANYONE),
    "congresses:dashboard": both(SIGNED_IN),
    "congresses:detail": both(ANYONE),
    "congresses:backoffice": both(TEAM),
    "congress-list": get_only(SIGNED_IN),
    "congress-detail": Route(get=V, patch=MC, gate=SIGNED_IN),
    "venue-list": get_only(V),
    "congresses:settings": both(MC),
    "congresses:security": both(MC),
    "congresses:audit": both(MC),
    "congresses:audit_export": both(MC),
    "congresses:copy_setup": both(MC),  # and congress.manage on the congress copied from
    "congresses:team": both(MC),
    "congresses:team_invite": Route(post=MC, gate=MC),
    "congresses:team_member_roles": Route(post=MC, gate=MC),
    "congresses:invitation_withdraw": Route(post=MC, gate=MC),
    "congresses:invitation": both(SECRET_LINK),
    "congresses:sign_in_activity": get_only(SIGNED_IN, gate=SIGNED_IN),
    "congresses:sign_out_everywhere": post_only(SIGNED_IN, gate=SIGNED_IN),
    "congresses:venues": both(MC),
    "congresses:venue_new": both(MC),
    "congresses:venue_edit": both(MC),
    "congresses:venue_delete": both(MC),
    "congresses:room_new": both(MC),
    "congresses:room_edit": both(MC),
    "congresses:room_delete": both(MC),
    "congresses:room_move": Route(post=MC, gate=MC),
    "congresses:api_tokens": get_only(TEAM),
    "congresses:api_token_create": both(TEAM),
    "congresses:api_token_revoke": both(MC),  # the owner's token: only owners revoke others'
    # --- registrations ----------------------------------------------------------------------
    "registrations:start": both(ANYONE),
    "registrations:details": both(ANYONE),
    "registrations:waiting_list": post_only(ANYONE),
    "registrations:order": both(SECRET_LINK),
    "registrations:order_pdf": both(SECRET_LINK),
    "registrations:order_cancel": both(SECRET_LINK),
    "registrations:delegate_edit": both(SECRET_LINK),
    "registrations:delegate_cancel": both(SECRET_LINK),
    "registrations:manage_list": get_only(VR),
    "registrations:manage_export": get_only(VR),
    # GET: the confirmation (registrations.manage for a decision, checked inside) or the
    # hand-over of an export or a message; POST records the job (registrations.manage).
    "registrations:manage_bulk": Route(get=VR, post=MR),
    "registrations:manage_bulk_jobs": get_only(VR),
    "registrations:manage_bulk_job": get_only(VR),
    "registrations:manage_bulk_job_progress": get_only(VR),
    "registration-type-list": Route(get=VR, post=MR),
    "registration-type-detail": Route(get=VR, patch=MR),
    "order-list": get_only(VR),
    "order-detail": Route(get=VR, patch=MR),
    "order-approve": post_only(MR, gate=VR),
    "order-cancel": post_only(MR, gate=VR),
    "delegate-list": get_only(VR),
    "delegate-export-csv": get_only(VR),
    "delegate-export-xlsx": get_only(VR),
    "delegate-detail": Route(get=VR, patch=MR),
    "delegate-cancel": post_only(MR, gate=VR),
    "registration-figures-list": get_only(VR),
    "member-organisation-list": get_only(VR),
    "member-organisation-import-csv": post_only(MR, gate=VR),
    "registrations:my_data": both(SECRET_LINK),
    "registrations:verify_document": get_only(ANYONE),
    "registrations:visa_letter": both(SECRET_LINK),
    "registrations:visa_letter_pdf": get_only(SECRET_LINK),
    "registrations:certificate_request": post_only(SECRET_LINK),
    "registrations:certificate_pdf": get_only(SECRET_LINK),
    "registrations:visa_focal_point": both(SECRET_LINK),
    "registrations:manage_visa_letters": get_only(VL),
    "registrations:manage_visa_letters_bulk": post_only(VL),
    "registrations:manage_visa_letters_rules": post_only(VL),
    "registrations:manage_visa_letters_export": get_only(VL),
    "registrations:manage_visa_letter": both(VL),
    "registrations:manage_visa_letter_pdf": get_only(VL),
    "registrations:manage_document_settings": both(MC),
    "registrations:manage_certificates": get_only(VR),
    "registrations:manage_certificates_issue": post_only(MR),
    "registrations:manage_certificate_revoke": post_only(MR),
    "registrations:my_data_export": both(SECRET_LINK),
    "registrations:my_data_erase": both(SECRET_LINK),
    "registrations:manage_personal_data": both(MR),
    "registrations:manage_retention": post_only(MC),  # owners set retention; others see it
    "registrations:manage_erase": both(MR),
    "registrations:manage_personal_data_export": both(MR),
    "registrations:manage_settings": both(MR),
    "registrations:manage_settings_reset": both(MR),
    "registrations:manage_approvals": get_only(VR),
    "registrations:manage_order": get_only(VR),
    "registrations:manage_order_approve": post_only(MR),
    "registrations:manage_order_reject": post_only(MR),
    "registrations:manage_order_cancel": post_only(MR),
    "registrations:manage_order_note": post_only(MR),
    "registrations:manage_order_hold": post_only(MR),
    "registrations:manage_order_resend": post_only(MR),
    "registrations:manage_order_delegate": both(MR),
    "registrations:manage_order_delegate_type": both(MR),
    "registrations:manage_order_add": both(MR),
    "registrations:manage_filter_save": post_only(VR),
    "registrations:manage_filter_delete": post_only(VR),
    "registrations:manage_order_delegate_cancel": post_only(MR),
    "registrations:manage_holds": get_only(MR),
    "registrations:manage_hold_caps": post_only(MR),
    "registrations:manage_hold_release": both(MR),
    "registrations:manage_emails": get_only(MR),
    "registrations:manage_outbox": get_only(MR),
    "registrations:manage_outbox_compose": both(MR),
    "registrations:manage_outbox_message": get_only(MR),
    "registrations:manage_order_email_resend": post_only(MR),
    "registrations:manage_email_edit": both(MR),
    "registrations:manage_email_reset": post_only(MR, gate=MR),
    "registrations:manage_types": both(MR),
    "registrations:manage_type_new": both(MR),
    "registrations:manage_type_edit": both(MR),
    "registrations:manage_type_move": Route(post=MR, gate=MR),
    "registrations:manage_type_delete": both(MR),
    "registrations:manage_members": get_only(MR),
    "registrations:manage_members_export": get_only(MR),
    "registrations:manage_member_new": both(MR),
    "registrations:manage_member_edit": both(MR),
    "registrations:manage_member_delete": both(MR),
    "registrations:manage_member_focal_point": both(MR),
    "registrations:manage_member_focal_point_send": post_only(MR),
    "registrations:manage_members_import": both(MR),
    "registrations:manage_members_import_preview": both(MR),
    "registrations:manage_vouchers": get_only(MR),
    "registrations:manage_vouchers_export": get_only(MR),
    "registrations:manage_voucher_new": both(MR),
    "registrations:manage_voucher_batch": both(MR),
    "registrations:manage_voucher_edit": both(MR),
    "registrations:manage_voucher_redemptions": get_only(MR),
    "registrations:manage_voucher_deactivate": post_only(MR, gate=MR),
    "registrations:manage_voucher_reactivate": post_only(MR, gate=MR),
    "registrations:manage_voucher_delete": both(MR),
    "registrations:manage_waiting_list": get_only(VR),
    "registrations:manage_waiting_list_offer": post_only(MR, gate=MR),
    "registrations:manage_waiting_list_extend": both(MR),
    "registrations:manage_waiting_list_withdraw": post_only(MR, gate=MR),
    "registrations:manage_waiting_list_remove": both(MR),
    "registrations:manage_questions": get_only(MR),
    "registrations:manage_question_new": both(MR),
    "registrations:manage_question_new_preview": post_only(MR, gate=MR),
    "registrations:manage_question_edit": both(MR),
    "registrations:manage_question_preview": post_only(MR, gate=MR),
    "registrations:manage_question_move": post_only(MR, gate=MR),
    "registrations:manage_question_stop": post_only(MR, gate=MR),
    "registrations:manage_question_delete": both(MR),  # an answered question is never deleted
    # --- payments ---------------------------------------------------------------------------
    "payments:order_payment": get_only(SECRET_LINK),
    "payments:card": get_only(SECRET_LINK),
    "payments:card_confirm": post_only(SECRET_LINK),
    "payments:card_return": get_only(SECRET_LINK),
    "payments:pay_by_invoice": both(SECRET_LINK),
    "payments:invoice_pdf": get_only(SECRET_LINK),
    "payments:einvoice": get_only(SECRET_LINK),
    "payments:request_quote": both(SECRET_LINK),
    "payments:accept_quote": both(SECRET_LINK),
    "payments:quote_pdf": get_only(SECRET_LINK),
    "payments:manage": get_only(MF),
    "payments:manage_export": get_only(MF),
    "payments:manage_settings": both(MF),
    "payments:manage_remind": post_only(MF),
    "payments:manage_invoice_pdf": get_only(MF),
    "payments:manage_einvoice": get_only(MF),
    "payments:manage_quotes": get_only(MF),
    "payments:manage_quote_pdf": get_only(MF),
    "payments:manage_accept_quote": post_only(MF),
    "payments:manage_create_quote": both(MF),
    "payments:manage_order": both(MF),
    "payments:manage_record_transfer": post_only(MF),
    "payments:manage_refund": post_only(MF),
    "payments:manage_resolve_review": post_only(MF),
    "payments:manage_issue_invoice": post_only(MF),
    "payments:manage_correct_invoice": post_only(MF),
    "payments:manage_bank_import": both(MF),
    "payments:manage_bank_queue": get_only(MF),
    "payments:manage_bank_statement": get_only(MF),
    "payments:manage_bank_confirm": post_only(MF),
    "payments:manage_bank_line": both(MF),
    "payments-order-list": get_only(MF),
    "payments-order-summary": get_only(MF),
    "payments-order-detail": get_only(MF),
    "payments-order-refunds": post_only(MF),
    "payments-order-transfers": post_only(MF),
    "payments-invoice-list": get_only(MF),
    "payments-invoice-detail": get_only(MF),
    # --- agenda -----------------------------------------------------------------------------
    "agenda:schedule": get_only(ANYONE),
    "agenda:changelog": get_only(ANYONE),
    "agenda:language": get_only(ANYONE),
    "agenda:screen_venue": get_only(ANYONE),
    "agenda:screen_venue_json": get_only(ANYONE),
    "agenda:screen_room": get_only(ANYONE),
    "agenda:screen_room_json": get_only(ANYONE),
    "agenda:speakers": get_only(ANYONE),
    "agenda:abstracts": get_only(ANYONE),
    "agenda:abstracts_pdf": get_only(ANYONE),
    "agenda:speaker": get_only(ANYONE),
    "agenda:session": get_only(ANYONE),
    "agenda:session_slides": get_only(ANYONE),
    "agenda:session_ics": get_only(ANYONE),
    "agenda:schedule_ics": get_only(ANYONE),
    "agenda:schedule_json": get_only(ANYONE),
    "agenda:schedule_xml": get_only(ANYONE),
    "agenda:schedule_c3voc_json": get_only(ANYONE),
    "agenda:widget": get_only(ANYONE),
    "agenda:manage_widget": both(MP),
    "agenda:personal_ics": get_only(SECRET_LINK),
    "agenda:personal": get_only(SECRET_LINK),
    "agenda:personal_mark": post_only(SECRET_LINK),
    "agenda:personal_unmark": post_only(SECRET_LINK),
    "agenda:personal_sign_up": post_only(SECRET_LINK),
    "agenda:personal_cancel_sign_up": post_only(SECRET_LINK),
    "agenda:personal_regenerate_feed": post_only(SECRET_LINK),
    "agenda:personal_revoke_feed": post_only(SECRET_LINK),
    "agenda:cfp_calls": get_only(ANYONE),
    "agenda:cfp_call": both(ANYONE),
    "agenda:cfp_proposal": both(SECRET_LINK),
    "agenda:cfp_withdraw": post_only(SECRET_LINK),
    "agenda:cfp_person_add": post_only(SECRET_LINK),
    "agenda:cfp_person_remove": post_only(SECRET_LINK),
    "agenda:cfp_person": both(SECRET_LINK),
    "agenda:cfp_person_unavailability": post_only(SECRET_LINK),
    "agenda:cfp_person_slides": post_only(SECRET_LINK),
    "agenda:cfp_person_unavailability_remove": post_only(SECRET_LINK),
    "agenda:cfp_person_slides_remove": post_only(SECRET_LINK),
    "agenda:cfp_person_paid_offer_accept": post_only(SECRET_LINK),
    "agenda:cfp_person_paid_offer_decline": post_only(SECRET_LINK),
    "agenda:review_index": get_only(RP),
    "agenda:review_list": get_only(RP),
    "agenda:review_next": get_only(RP),
    "agenda:review_proposal": both(RP),
    "agenda:review_proposal_json": get_only(RP),
    "agenda:manage_calls": both(MP),
    "agenda:manage_call": both(MP),
    "agenda:manage_call_assign": post_only(MP),
    "agenda:manage_call_reviewer": post_only(MP),
    "agenda:manage_call_phase_activate": post_only(MP),
    "agenda:manage_call_part": both(MP),
    "agenda:manage_call_part_delete": post_only(MP),
    "agenda:manage_call_part_move": post_only(MP),
    "agenda:manage_call_committee": both(MP),
    "agenda:manage_abstracts": get_only(MP),
    "agenda:manage_abstracts_pdf": get_only(MP),
    "agenda:manage_call_send": post_only(MP),
    "agenda:manage_call_remind": post_only(MP),
    "agenda:manage_sessions": both(MP),
    "agenda:manage_session_create": both(MP),
    "agenda:manage_session_edit": both(MP),
    "agenda:manage_session_cancel": post_only(MP),
    "agenda:manage_session_slides_remove": post_only(MP),
    "agenda:conflicts": both(MP),
    "agenda:publish": both(MP),
    "agenda:manage_speakers": both(MP),
    "agenda:manage_speaker_create": both(MP),
    "agenda:manage_speaker_edit": both(MP),
    "agenda:manage_tracks": both(MP),
    "agenda:manage_track_create": both(MP),
    "agenda:manage_track_edit": both(MP),
    "agenda:manage_track_delete": Route(post=MP, gate=MP),
    "agenda:manage_track_move": Route(post=MP, gate=MP),
    "agenda:manage_formats": both(MP),
    "agenda:manage_format_edit": both(MP),
    "agenda:manage_tags": both(MP),
    "agenda:manage_tag_create": both(MP),
    "agenda:manage_tag_edit": both(MP),
    "agenda:manage_tag_delete": both(MP),
    "agenda:manage_editor_start": get_only(MP),
    "agenda:manage_editor": get_only(MP),
    "agenda:editor_move": post_only(MP),
    "agenda:editor_unschedule": post_only(MP),
    "agenda:editor_changes": get_only(MP),
    "agenda:manage_speaker_unavailability": post_only(MP),
    "agenda:manage_speaker_unavailability_delete": post_only(MP),
    "agenda:manage_speaker_search": get_only(MP),
    "agenda:manage_speaker_merge": both(MP),
    "agenda:manage_breaks": both(MP),
    "agenda:manage_break_create": both(MP),
    "agenda:manage_break_edit": both(MP),
    "agenda:manage_break_delete": both(MP),
    "agenda:manage_break_copy": both(MP),
    "agenda:manage_contribution_create": both(MP),
    "agenda:manage_contribution_edit": both(MP),
    "agenda:manage_contribution_delete": post_only(MP),
    "agenda:manage_contribution_move": post_only(MP),
    "agenda:manage_versions": both(MP),
    "agenda:manage_version": both(MP),
    "agenda:manage_print": get_only(MP),
    "agenda:manage_print_day": get_only(MP),
    "agenda:manage_print_room": get_only(MP),
    "agenda-programme": get_only(ANYONE),
    **{
        f"agenda-public-{name}": get_only(ANYONE)
        for name in (
            "session-list",
            "session-detail",
            "contribution-list",
            "speaker-list",
            "speaker-detail",
            "room-list",
            "track-list",
            "format-list",
            "seats-list",
            "version-list",
            "version-detail",
            "version-programme",
            "changelog-list",
        )
    },
    "agenda-conflicts": get_only(MP),
    "agenda-publish": post_only(MP),
    "agenda-session-list": both(MP),
    "agenda-session-detail": Route(get=MP, patch=MP),
    "agenda-session-cancel": post_only(MP),
    "agenda-speaker-list": both(MP),
    "agenda-speaker-detail": Route(get=MP, patch=MP),
    "agenda-track-list": both(MP),
    "agenda-track-detail": Route(get=MP, patch=MP),
    "agenda-room-list": both(MP),
    "agenda-room-detail": Route(get=MP, patch=MP),
    "agenda-cfp-call-list": get_only(MP),
    "agenda-cfp-call-detail": get_only(MP),
    "agenda-cfp-proposal-list": get_only(RP),
    "agenda-cfp-proposal-detail": get_only(RP),
    # --- badges and check-in ----------------------------------------------------------------
    "badges:checkin": both(CI),
    "badges:refused_scans": both(CI),
    "badges:delegate_photo": get_only(CI),
    "badges:checkin_person": post_only(CI),
    "badges:checkin_print": post_only(CI),
    "badges:desk_manifest": get_only(CI),
    "badges:desk_sw": get_only(CI),
    "badges:desk_key": get_only(CI),
    "badges:desk_list": get_only(CI),
    "badges:desk_sync": post_only(CI),
    "badges:checkin_undo": post_only(CI),
    "agenda:attendance_sessions": both(CI),
    "agenda:attendance_scan": both(CI),
    "agenda:attendance_list": both(VR),
    "badges:print_station": both(CI),
    "badges:print_station_pdf": get_only(CI),
    "badges:print_station_printed": post_only(CI),
    "badges:print_station_reprint": post_only(CI),
    "badges:print": both(MB),
    "badges:print_job": both(MB),
    "badges:print_job_retry": post_only(MB),
    "badges:print_job_download": both(MB),
    "badges:reissue": post_only(MB),
    "badges:reprint": post_only(MB),
    "badges:layouts": both(MB),
    "badges:layout_new": both(MB),
    "badges:layout_edit": both(MB),
    "badges:layout_delete": both(MB),
    "badges:layout_preview": get_only(MB, gate=MB),
    "badges-api-checkin": post_only(CI),
    "badges-api-checkin-lookup": post_only(CI),
    "badges-api-checkin-search": get_only(CI),
    "badges-api-checkin-refused": get_only(CI),
}
# Routes the walk leaves alone, and why.
NOT_WALKED: dict[str, str] = {
    # Mounted only when DEBUG is on at import (the demo): Django's development file server.
    # Stored files carry random names (print jobs: a token_urlsafe directory).
    "^media/(?P<path>.*)$": "DEBUG's media file server, absent in production",
    # Not of one congress: an owner of a congress of the organisation may create another
    # (tests/core/test_congress_pages.py holds that rule).
    "manage/congresses/new/": "its rule is an owner in the organisation, not a congress role",
}

# --- Which object each URL keyword names -----------------------------------------------------


def _order_code(side: Side) -> str:
    return side.order.code


def _quote_order_code(side: Side) -> str:
    return side.extra["quote"].order.code


def _session_code(side: Side) -> str:
    return side.session.code


def _speaker_code(side: Side) -> str:
    return side.speaker.code


# keyword -> {route name, or its namespace, or "*": the value for one congress}. The most
# specific key wins. Keywords listed in ``NOT_OBJECTS`` are the same for both congresses.
PARAMETERS: dict[str, dict[str, Callable[[Side], object]]] = {
    "congress_slug": {"*": lambda s: s.congress.slug},
    "code": {
        "payments:request_quote": _quote_order_code,
        "payments:accept_quote": _quote_order_code,
        "payments:quote_pdf": _quote_order_code,
        "registrations": _order_code,
        "payments": _order_code,
        "order-detail": _order_code,
        "order-approve": _order_code,
        "order-cancel": _order_code,
        "payments-order-detail": _order_code,
        "payments-order-refunds": _order_code,
        "payments-order-transfers": _order_code,
        "agenda": _session_code,
        "agenda:speaker": _speaker_code,
        "agenda:manage_speaker_edit": _speaker_code,
        "agenda:manage_speaker_unavailability": _speaker_code,
        "agenda:manage_speaker_unavailability_delete": _speaker_code,
        "agenda-session-detail": _session_code,
        "agenda-session-cancel": _session_code,
        "agenda-speaker-detail": _speaker_code,
        "agenda-public-session-detail": _session_code,
        "agenda-public-speaker-detail": _speaker_code,
    },
    "secret": {
        "congresses:invitation": lambda s: s.extra["invitation"].secret,
        "payments:request_quote": lambda s: s.extra["quote"].order.secret,
        "payments:accept_quote": lambda s: s.extra["quote"].order.secret,
        "payments:quote_pdf": lambda s: s.extra["quote"].order.secret,
        "*": lambda s: s.order.secret,
    },
    "delegate_secret": {"*": lambda s: s.delegate.secret},
    "focal_secret": {"*": lambda s: s.extra["focal_point"].secret},
    "call_slug": {"*": lambda s: s.extra["call"].slug},
    "proposal_secret": {
        "agenda:cfp_withdraw": lambda s: s.extra["locked_proposal"].secret,
        "agenda:cfp_person_remove": lambda s: s.extra["locked_proposal"].secret,
        "*": lambda s: s.extra["proposal"].secret,
    },
    "person_id": {"*": lambda s: s.extra["locked_person"].pk},
    "person_secret": {
        "agenda:cfp_person_slides_remove": lambda s: s.extra["paid_person"].secret,
        "agenda:cfp_person_paid_offer_accept": lambda s: s.extra["paid_person"].secret,
        "agenda:cfp_person_paid_offer_decline": lambda s: s.extra["paid_person"].secret,
        "*": lambda s: s.extra["person"].secret,
    },
    "gap_id": {"*": lambda s: s.extra["person_gap"].pk},
    "slides_code": {
        "agenda:cfp_person_slides_remove": lambda s: s.extra["own_slides"].code,
        "*": lambda s: s.extra["slides"].code,
    },
    "order_code": {"*": lambda s: s.extra["paid_order"].code},
    "proposal_code": {"*": lambda s: s.extra["proposal"].code},
    "phase_id": {"*": lambda s: s.extra["phase"].pk},
    "delegate_id": {"*": lambda s: s.delegate.pk},
    "question_id": {"*": lambda s: s.extra["question"].pk},
    "item_id": {"*": lambda s: s.extra["station_print"].pk},
    "badge_id": {"*": lambda s: s.badge.pk},
    "job_id": {
        "badges:print_job_retry": lambda s: s.failed_print_job.pk,
        "*": lambda s: s.print_job.pk,
    },
    "number": {
        "agenda:manage_version": lambda s: 1,  # each congress's first published version
        "payments:quote_pdf": lambda s: s.extra["quote"].full_number,
        "payments:manage_quote_pdf": lambda s: s.extra["quote"].full_number,
        "payments:manage_accept_quote": lambda s: s.extra["quote"].full_number,
        "agenda-public-version-detail": lambda s: 1,
        "agenda-public-version-programme": lambda s: 1,
        "*": lambda s: s.invoice.full_number,
    },
    "break_code": {"*": lambda s: s.extra["break"].code},
    "contribution_code": {"*": lambda s: s.extra["contribution"].code},
    "day": {"*": lambda s: s.congress.start_date.isoformat()},
    "full_number": {"*": lambda s: s.invoice.full_number},
    "token": {
        "agenda:personal_ics": lambda s: s.agenda_token,
        "registrations:verify_document": lambda s: s.extra["visa_letter"].token,
        "password_reset_confirm": lambda s: "set-password",
    },
    "pk": {
        "registration-type-detail": lambda s: s.registration_type.pk,
        "delegate-detail": lambda s: s.delegate.pk,
        "delegate-cancel": lambda s: s.delegate.pk,
        "agenda-room-detail": lambda s: s.room.pk,
    },
    "slug": {"agenda-track-detail": lambda s: s.track.slug},
    "track_id": {"*": lambda s: s.track.pk},
    "type_id": {"*": lambda s: s.registration_type.pk},
    "member_id": {"*": lambda s: s.extra["member_organisation"].pk},
    "tag_id": {"*": lambda s: s.extra["tag"].pk},
    "block_id": {"*": lambda s: s.extra["unavailability"].pk},
    "format": {"*": lambda s: "workshop"},
    "layout_id": {"*": lambda s: s.extra["layout"].pk},
    "venue_id": {"*": lambda s: s.room.venue_id},
    "room_id": {"*": lambda s: s.room.pk},
    "user_id": {"*": lambda s: s.extra["member"].pk},
    "invitation_id": {"*": lambda s: s.extra["invitation"].pk},
    "token_id": {"*": lambda s: s.extra["api_token"].pk},
    "voucher_id": {"*": lambda s: s.extra["voucher"].pk},
    "entry_id": {"*": lambda s: s.extra["waiting_list_entry"].pk},
    "statement_id": {"*": lambda s: s.extra["bank_statement"].pk},
    "line_id": {"*": lambda s: s.extra["bank_line"].pk},
    "bulk_job_id": {"*": lambda s: s.extra["bulk_job"].pk},
    "email_id": {"*": lambda s: s.extra["sent_email"].pk},
    "message_id": {"*": lambda s: s.extra["outbox_message"].pk},
    "filter_id": {"*": lambda s: s.extra["saved_filter"].pk},
    "fmt": {
        "payments:einvoice": lambda s: "peppol",
        "payments:manage_einvoice": lambda s: "peppol",
        "*": lambda s: "csv",
    },
    "request_id": {"*": lambda s: s.extra["visa_letter"].pk},
    "certificate_id": {"*": lambda s: s.extra["certificate"].pk},
    "kind": {
        # a call's part: the demo call's first score category (scored, so never deleted)
        "agenda:manage_call_part": lambda s: "category",
        "agenda:manage_call_part_delete": lambda s: "category",
        "agenda:manage_call_part_move": lambda s: "category",
        "*": lambda s: "attendance",
    },
    "part_id": {"*": lambda s: s.extra["call"].score_categories.order_by("pk").first().pk},
    # An automatic e-mail and one of the congress's languages (the same words in both).
    "key": {"*": lambda s: "confirmation"},
    "language": {"*": lambda s: s.congress.languages[0]},
    # Not of a congress: a password-reset link that does not check out.
    "uidb64": {"password_reset_confirm": lambda s: "MQ"},
}
NOT_OBJECTS = {"congress_slug", "fmt", "uidb64", "format", "key", "language", "day", "kind"}
NOT_OBJECTS_BY_ROUTE = {
    ("password_reset_confirm", "token"),
    ("agenda:manage_version", "number"),
    ("agenda-public-version-detail", "number"),
    ("agenda-public-version-programme", "number"),
}


# --- The walk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Walked:
    key: str  # the route's name (namespaced), or its pattern when it has none
    name: str | None
    pattern: str
    namespace: str
    keywords: tuple[str, ...]
    is_api: bool  # a DRF view: refusals come before the method check, 401 when anonymous

    def __str__(self) -> str:
        return self.key


KEYWORD = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def _site_routes() -> tuple[list[Walked], list[Walked]]:
    """(every route of the site but Django admin, Django admin's routes), one per pattern."""
    seen, routes, admin_routes = set(), [], []
    for pattern, namespace, entry in _walk(get_resolver().url_patterns):
        if pattern in seen or pattern in NOT_WALKED:  # a later duplicate is never reached
            continue
        seen.add(pattern)
        name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
        keywords = tuple(dict.fromkeys(a or b for a, b in KEYWORD.findall(pattern)))
        walked = Walked(
            key=name or pattern,
            name=name,
            pattern=pattern,
            namespace=namespace,
            keywords=keywords,
            is_api=hasattr(entry.callback, "cls"),
        )
        (admin_routes if namespace == "admin" else routes).append(walked)
    return routes, admin_routes


SITE_ROUTES, ADMIN_ROUTES = _site_routes()


def route_spec(walked: Walked) -> Route:
    if walked.key not in ROUTES:
        pytest.fail(
            f"Route {walked.key!r} ({walked.pattern}) is not in the walk's table: add it to "
            f"ROUTES in {__file__} with the permission each method needs (a Perm value, "
            f"ANYONE, SIGNED_IN or SECRET_LINK; None for a method the route refuses with 405).",
            pytrace=False,
        )
    return ROUTES[walked.key]


def parameter(walked: Walked, keyword: str, side: Side):
    table = PARAMETERS.get(keyword, {})
    for key in (walked.key, walked.namespace, "*"):
        if key and key in table:
            return table[key](side)
    pytest.fail(
        f"Route {walked.key!r} ({walked.pattern}) takes the URL keyword {keyword!r}, which the "
        f"walk cannot fill: add PARAMETERS[{keyword!r}][{walked.key!r}] (or the namespace "
        f"{walked.namespace!r}, or '*') in {__file__}, naming the real object of the congress "
        f"(an attribute of tests/walk/world.py's Side; add one there if it is a new kind).",
        pytrace=False,
    )


def is_object(walked: Walked, keyword: str) -> bool:
    return keyword not in NOT_OBJECTS and (walked.key, keyword) not in NOT_OBJECTS_BY_ROUTE


def url(
    walked: Walked,
    side: Side,
    *,
    objects_of: Side | None = None,
    only: str | None = None,
) -> str:
    """The route filled with ``side``'s congress and real objects: with ``objects_of``, that
    side's objects under ``side``'s slug (all of them, or ``only`` that keyword's)."""
    kwargs = {}
    for keyword in walked.keywords:
        foreign = objects_of is not None and is_object(walked, keyword)
        source = objects_of if foreign and only in (None, keyword) else side
        kwargs[keyword] = str(parameter(walked, keyword, source))
    if walked.name is None:
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: kwargs[m.group(1)], walked.pattern)
        return "/" + path.replace("^", "").replace("$", "")
    return reverse(walked.name, kwargs=kwargs)


# --- Personas and expectations -------------------------------------------------------------

ROLE_PERSONAS = [
    Role.OWNER,
    Role.PROGRAMME,
    Role.REGISTRATION,
    Role.FINANCE,
    Role.CHECKIN,
    Role.REVIEWER,
    Role.VISA_OFFICER,
]
PERSONAS = ["anonymous", "stranger", "charlie", *[str(r) for r in ROLE_PERSONAS]]


def holds(persona: str, needs: str) -> bool:
    """Whether ``persona`` may pass a requirement in congress A (roles from rules.py)."""
    if needs in (ANYONE, SECRET_LINK):
        return True
    if persona == "anonymous":
        return False
    if needs == SIGNED_IN:
        return True
    if needs == TEAM:
        return persona in ROLE_PERMISSIONS
    return persona in ROLE_PERMISSIONS and str(needs) in ROLE_PERMISSIONS[persona]


def client_for(world, persona: str) -> APIClient:
    client = APIClient()
    user = world.users.get(persona)
    if user is not None:
        client.force_login(user)
    return client


def send(client, method: str, path: str):
    if method == "PATCH":
        return client.patch(path, {}, format="json")
    return client.get(path) if method == "GET" else client.post(path)


def methods(walked: Walked) -> tuple[str, ...]:
    return ("GET", "POST", "PATCH") if walked.is_api else ("GET", "POST")


def _describe(persona, method, path, response) -> str:
    where = response.get("Location", "")
    return f"{persona} {method} {path} -> {response.status_code} {where}".strip()


def assert_refused(walked: Walked, persona: str, method: str, path: str, response) -> None:
    said = _describe(persona, method, path, response)
    if persona != "anonymous":
        assert response.status_code == 403, f"expected 403 (refused), got: {said}"
    elif walked.is_api:
        assert response.status_code == 401, f"expected 401 (sign in), got: {said}"
    else:
        assert response.status_code == 302, f"expected the sign-in page, got: {said}"
        assert response["Location"].startswith(reverse("login") + "?next="), said


def assert_allowed(method: str, persona: str, path: str, response) -> None:
    said = _describe(persona, method, path, response)
    if method == "GET":
        assert 200 <= response.status_code < 400, f"expected 2xx/3xx, got: {said}"
    else:
        # An empty form may be refused as invalid, never with a refusal, a 404 or a crash.
        assert response.status_code < 500, f"a server error: {said}"
        assert response.status_code not in (401, 403, 404, 405), f"expected to pass: {said}"


def check(walked: Walked, spec: Route, persona: str, method: str, path: str, response) -> None:
    needs = spec.needs(method)
    if needs is None:  # the route does not accept this method
        gate = spec.gate_for(walked)
        if gate is not None and not holds(persona, gate):
            assert_refused(walked, persona, method, path, response)
        else:
            said = _describe(persona, method, path, response)
            assert response.status_code == 405, f"expected 405, got: {said}"
    elif holds(persona, needs):
        assert_allowed(method, persona, path, response)
    else:
        assert_refused(walked, persona, method, path, response)


def _walk_cases():
    for walked in SITE_ROUTES:
        spec = ROUTES.get(walked.key)
        requirements = {spec.get, spec.post} - {None} if spec else set()
        if requirements and requirements <= {ANYONE, SECRET_LINK}:
            personas = ["anonymous"]  # open routes: who asks changes nothing
        elif requirements and requirements <= {ANYONE, SECRET_LINK, SIGNED_IN}:
            personas = ["anonymous", "stranger"]
        elif spec is None:
            personas = [str(Role.OWNER)]  # one failure per route missing from the table
        else:
            personas = PERSONAS
        for persona in personas:
            yield pytest.param(walked, persona, id=f"{walked.key}-{persona}")


@pytest.mark.parametrize(("walked", "persona"), list(_walk_cases()))
def test_route_answers_each_persona_as_the_table_says(world, walked, persona):
    spec = route_spec(walked)
    path = url(walked, world.a)
    client = client_for(world, persona)
    for method in methods(walked):
        check(walked, spec, persona, method, path, send(client, method, path))


def _object_routes():
    for walked in SITE_ROUTES:
        if "congress_slug" in walked.keywords and any(
            is_object(walked, k) for k in walked.keywords
        ):
            yield walked


def _cross_cases():
    """Every route with objects: all of them from B; and, where a route names several, each
    one alone from B (A's order with B's delegate secret, A's agenda with B's session...)."""
    for walked in _object_routes():
        yield pytest.param(walked, None, id=walked.key)
        objects = [k for k in walked.keywords if is_object(walked, k)]
        if len(objects) > 1:
            for keyword in objects:
                yield pytest.param(walked, keyword, id=f"{walked.key}-only-{keyword}")


def _entitled(needs: str) -> str:
    """The first role persona (the owner first) that holds ``needs`` in congress A."""
    return next(str(role) for role in ROLE_PERSONAS if holds(str(role), needs))


def _as_entitled(world, walked: Walked, path: str):
    """Each accepted method sent by who may use the route in A: the owner (or, for what only
    another role holds, such as passport data, that role), or (on the public and delegate
    side) an anonymous visitor; yields (response, description)."""
    spec = route_spec(walked)
    for method in methods(walked):
        needs = spec.needs(method)
        if needs is None:
            continue
        persona = "anonymous" if needs in (ANYONE, SECRET_LINK) else _entitled(needs)
        response = send(client_for(world, persona), method, path)
        yield response, _describe(persona, method, path, response)


@pytest.mark.parametrize(("walked", "only"), list(_cross_cases()))
def test_objects_of_another_congress_are_not_found_under_this_congress(world, walked, only):
    """A's owner (or, on the delegate's side, the holder of B's secret) asks for congress B's
    real objects under A's slug: exactly 404, never B's object and never a 403."""
    path = url(walked, world.a, objects_of=world.b, only=only)
    for response, said in _as_entitled(world, walked, path):
        assert response.status_code == 404, f"expected 404 (not this congress's), got: {said}"


@pytest.mark.parametrize("walked", [pytest.param(w, id=w.key) for w in _object_routes()])
def test_own_objects_are_found_by_the_owner(world, walked):
    """The other half of the check above: the same route with A's own objects is found, so a
    404 there means "not this congress's", not a table that fills the URL wrongly."""
    for response, said in _as_entitled(world, walked, url(walked, world.a)):
        assert response.status_code not in (403, 404), said
        assert response.status_code < 500, said


def test_a_route_or_keyword_missing_from_the_tables_fails_with_what_to_add(world):
    new = Walked(
        key="widgets:detail",
        name="widgets:detail",
        pattern="<slug:congress_slug>/manage/widgets/<int:widget_id>/",
        namespace="widgets",
        keywords=("congress_slug", "widget_id"),
        is_api=False,
    )
    with pytest.raises(pytest.fail.Exception, match=r"'widgets:detail'.*add it to ROUTES"):
        route_spec(new)
    with pytest.raises(
        pytest.fail.Exception, match=r"PARAMETERS\['widget_id'\]\['widgets:detail'\]"
    ):
        url(new, world.a)


def test_the_matrix_covers_every_permission_and_every_role():
    """A permission no route asks for, or a role no persona plays, would go unwalked."""
    asked = {needs for spec in ROUTES.values() for needs in (spec.get, spec.post, spec.patch)}
    assert set(Perm.values) - asked == set()
    assert set(ROLE_PERMISSIONS) == {str(role) for role in ROLE_PERSONAS} == set(Role.values)


def test_every_table_entry_names_a_route():
    """A route renamed or removed must leave the table too (or the matrix lies)."""
    known = {walked.key for walked in SITE_ROUTES}
    assert set(ROUTES) - known == set()


def test_the_two_congresses_share_no_object_the_walk_names(world):
    """Otherwise a 404 in the cross-congress check could be a 200 in disguise."""
    for walked in SITE_ROUTES:
        for keyword in walked.keywords:
            if keyword in PARAMETERS and is_object(walked, keyword):
                ours = parameter(walked, keyword, world.a)
                theirs = parameter(walked, keyword, world.b)
                assert ours != theirs, (walked.key, keyword, ours)


# --- Django admin: a superuser's tool --------------------------------------------------------

ADMIN_OPEN = {"admin:login", "admin:logout", "admin:jsi18n"}
# django-rq's statistics answer scripts (a bearer token or a staff session): a JSON 401.
ADMIN_JSON = {"admin:django_rq_home_json"}
SAMPLE_BY_CONVERTER = {"int": "1", "str": "x", "path": "x/y", "slug": "x", "uuid": str(UUID(int=1))}


def _admin_url(walked: Walked) -> str:
    """Any value will do: the admin refuses before it looks anything up."""
    label = next(iter(admin.site._registry))._meta.app_label
    path = re.sub(
        r"\(\?P<(\w+)>[^)]*\)",
        lambda m: label if m.group(1) == "app_label" else "1",
        walked.pattern,
    )
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_BY_CONVERTER[m.group(1) or "str"], path)
    return "/" + path.replace("^", "").replace("$", "").replace("?", "").replace("\\", "")


@pytest.mark.parametrize("persona", ["anonymous", str(Role.OWNER)])
def test_admin_sends_everyone_but_staff_to_its_sign_in(world, persona):
    """Organisers are not staff: every admin page sends them to the admin sign-in."""
    client = client_for(world, persona)
    wrong = []
    for walked in ADMIN_ROUTES:
        if walked.key in ADMIN_OPEN:
            continue
        path = _admin_url(walked)
        response = send(client, "GET", path)
        if walked.key in ADMIN_JSON:
            if response.status_code != 401:
                wrong.append(_describe(persona, "GET", path, response))
        elif response.status_code != 302 or not response["Location"].startswith(
            reverse("admin:login")
        ):
            wrong.append(f"{walked.key}: {_describe(persona, 'GET', path, response)}")
    assert len(ADMIN_ROUTES) > 50
    assert wrong == []


# --- Congress B's objects named in the query string or the body ------------------------------


def _b(attribute: str) -> Callable[[object], object]:
    def value(world):
        side = world.b
        for part in attribute.split("."):
            side = getattr(side, part)
        return side

    return value


# (route, method, how the other congress's object is named, expected status, persona)
REFERENCES = [
    ("badges:checkin", "GET", {"delegate": _b("delegate.pk")}, 404, Role.CHECKIN),
    ("badges:checkin", "GET", {"code": _b("badge.secret")}, 422, Role.CHECKIN),
    ("badges-api-checkin-lookup", "POST", {"delegate": _b("delegate.pk")}, 404, Role.CHECKIN),
    ("badges-api-checkin-lookup", "POST", {"code": _b("badge.secret")}, 400, Role.CHECKIN),
    ("badges-api-checkin", "POST", {"delegate": _b("delegate.pk")}, 404, Role.CHECKIN),
    ("badges-api-checkin", "POST", {"code": _b("badge.secret")}, 400, Role.CHECKIN),
    ("badges:print", "POST", {"registration_type": _b("registration_type.pk")}, 200, Role.OWNER),
    ("agenda-room-list", "POST", {"venue": _b("room.venue_id"), "name": "X"}, 400, Role.OWNER),
]


@pytest.mark.parametrize(
    ("name", "method", "data", "status", "persona"),
    [pytest.param(*case, id=f"{case[0]}-{'-'.join(case[2])}") for case in REFERENCES],
)
def test_objects_of_another_congress_named_in_the_request_are_not_found(
    world, name, method, data, status, persona
):
    """A badge secret, a delegate, a type or a venue of congress B, sent to congress A's
    desk and pages: not found (or refused as invalid), and nothing of B's is shown."""
    walked = next(w for w in SITE_ROUTES if w.key == name)
    path = url(walked, world.a)
    values = {key: str(make(world) if callable(make) else make) for key, make in data.items()}
    client = client_for(world, str(persona))
    if method == "GET":
        response = client.get(path, values)
    else:
        response = client.post(path, values, format="json" if walked.is_api else None)
    assert response.status_code == status, _describe(persona, method, path, response)
    body = response.content.decode("utf-8", "replace")
    assert world.b.delegate.family_name not in body
    assert world.b.congress.name not in body
    assert (
        not PrintJob.objects.filter(congress=world.a.congress)
        .exclude(pk__in=[world.a.print_job.pk, world.a.failed_print_job.pk])
        .exists()
    )


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_the_congress_list_shows_only_congresses_the_persona_sees(world, persona):
    response = client_for(world, persona).get(reverse("congress-list"))
    assert response.status_code == 200
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    slugs = {row["slug"] for row in rows}
    expected = set()
    if persona == "charlie":
        expected = {world.b.congress.slug}
    elif persona in ROLE_PERMISSIONS and Perm.VIEW in ROLE_PERMISSIONS[persona]:
        expected = {world.a.congress.slug}
    assert slugs == expected


# --- A congress not yet published ----------------------------------------------------------


def _public_cases():
    for walked in SITE_ROUTES:
        spec = ROUTES.get(walked.key)
        if spec and "congress_slug" in walked.keywords and ANYONE in (spec.get, spec.post):
            yield pytest.param(walked, id=walked.key)


@pytest.mark.parametrize("walked", list(_public_cases()))
@pytest.mark.parametrize("persona", ["anonymous", "charlie", str(Role.CHECKIN)])
def test_public_pages_of_a_draft_congress_are_not_found(world, walked, persona):
    """Until it is published, a congress's public side does not exist for outsiders (nor for
    check-in staff, who do not see the back office either)."""
    Congress.objects.filter(pk=world.a.congress.pk).update(status=CongressStatus.DRAFT)
    spec = route_spec(walked)
    path = url(walked, world.a)
    client = client_for(world, persona)
    for method in ("GET", "POST"):
        if spec.needs(method) != ANYONE:
            continue
        response = send(client, method, path)
        said = _describe(persona, method, path, response)
        assert response.status_code == 404, f"expected 404 (not published), got: {said}"


# (route, the unpublished object of congress A its keyword names)
UNPUBLISHED = [
    ("agenda:session", lambda side: side.draft_session.code),
    ("agenda:session_ics", lambda side: side.draft_session.code),
    ("agenda:speaker", lambda side: side.hidden_speaker.code),
]


@pytest.mark.parametrize(
    ("name", "code"), [pytest.param(*case, id=case[0]) for case in UNPUBLISHED]
)
@pytest.mark.parametrize("persona", ["anonymous", str(Role.OWNER)])
def test_what_is_not_published_is_not_found_on_the_public_side(world, name, code, persona):
    """A draft session and a speaker of no published session: 404 on the public pages, for the
    owner too (the back office is where drafts are seen)."""
    walked = next(w for w in SITE_ROUTES if w.key == name)
    path = reverse(name, kwargs={"congress_slug": world.a.congress.slug, "code": code(world.a)})
    response = client_for(world, persona).get(path)
    assert response.status_code == 404, _describe(persona, "GET", path, response)
    assert walked.keywords == ("congress_slug", "code")


def test_no_organiser_page_links_to_django_admin(world):
    """Django admin is the superuser's tool: no page of the organiser area links to it, not
    even for an owner who is also staff (the issue's "done when")."""
    owner = world.users[str(Role.OWNER)]
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    client = client_for(world, str(Role.OWNER))
    pages = 0
    for walked in SITE_ROUTES:
        if walked.is_api or "congress_slug" not in walked.keywords:
            continue
        if route_spec(walked).needs("GET") in (None, ANYONE, SECRET_LINK):
            continue
        response = client.get(url(walked, world.a))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        assert 'href="/admin' not in response.content.decode(), walked.key
    assert pages > 20  # the walk reached the organiser area, not only refusals
