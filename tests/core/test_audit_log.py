"""The audit log is append-only: the ORM refuses changes and deletes, the database refuses raw
UPDATE and DELETE (PostgreSQL; UPDATE on SQLite), and deleting a congress or a person leaves
their entries; the one permitted change is a redaction that keeps who, what and when."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from events_site.congresses import audit
from events_site.congresses.models import AuditEntry, AuditLogIsAppendOnly
from tests.factories import CongressFactory, UserFactory


@pytest.fixture
def entry(congress, alice):
    return audit.record(
        action="convene.congress.updated",
        congress=congress,
        actor=alice,
        target=congress,
        data={"changed": {"name": ["Old", "New"]}},
    )


def test_an_entry_keeps_the_congress_slug_and_the_username_of_the_time(entry, congress, alice):
    assert (entry.congress_slug, entry.actor_label, entry.actor_id) == (
        congress.slug,
        "alice",
        alice.pk,
    )


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = "convene.nothing.happened"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "convene.congress.updated"


def test_an_entry_built_with_an_existing_primary_key_never_overwrites_it(entry):
    copy = AuditEntry(pk=entry.pk, action="convene.forged", data={})
    with pytest.raises(DatabaseError), transaction.atomic():
        copy.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == "convene.congress.updated"


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_queryset_update_and_delete_are_refused(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.congress.audit_entries.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "convene.congress.updated"


def test_the_redaction_path_changes_nothing_but_personal_text(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk)._redact(action="x", redacted_at=entry.created_at)
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk)._redact(data={})  # without the stamp


def test_the_admin_is_read_only_even_for_a_superuser(entry):
    model_admin = admin.site._registry[AuditEntry]
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert not model_admin.has_delete_permission(request)


def test_the_admin_lists_entries_of_a_deleted_person(client, entry, alice):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    alice.delete()
    client.force_login(superuser)
    assert client.get("/admin/congresses/auditentry/").status_code == 200
    response = client.get(f"/admin/congresses/auditentry/{entry.pk}/change/")
    assert response.status_code == 200 and b"alice" in response.content


def test_deleting_a_person_keeps_their_entries_and_their_name(entry, alice):
    alice_id = alice.pk
    alice.delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.actor_label) == (alice_id, "alice")
    assert AuditEntry.objects.select_related("actor").get(pk=entry.pk).actor is None


def test_deleting_a_congress_keeps_its_entries(entry, congress):
    slug = congress.slug
    congress.delete()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.congress_slug == slug and kept.data == {"changed": {"name": ["Old", "New"]}}


def _raw(sql: str, params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_raw_update_is_refused_by_the_database(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("UPDATE congresses_auditentry SET action = %s WHERE id = %s", ["x", entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "convene.congress.updated"


def test_a_raw_update_that_stamps_a_redaction_but_changes_the_actor_is_refused(entry, bob):
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(
            "UPDATE congresses_auditentry SET actor_id = %s, redacted_at = created_at "
            "WHERE id = %s",
            [bob.pk, entry.pk],
        )
    assert AuditEntry.objects.get(pk=entry.pk).actor_id != bob.pk


@pytest.mark.postgres
def test_a_raw_delete_is_refused_by_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: on SQLite the ORM refuses deletes (flush needs DELETE)")
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("DELETE FROM congresses_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_a_cascade_from_the_database_cannot_remove_entries(entry, congress):
    """No foreign key constraint: deleting the congress row with raw SQL leaves the entries."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    _raw("DELETE FROM congresses_venue WHERE congress_id = %s", [congress.pk])
    _raw("DELETE FROM congresses_teammembership WHERE congress_id = %s", [congress.pk])
    _raw("DELETE FROM congresses_congress WHERE id = %s", [congress.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_sqlite_trigger_is_there(db):
    """A migration that remakes the table on SQLite drops its triggers: this notices."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            ["congresses_auditentry"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["convene_audit_entry_append_only"]


def test_redaction_replaces_a_persons_text_and_keeps_who_what_when(congress, alice):
    placed = audit.record(
        action="convene.order.placed",
        congress=congress,
        actor_label="ana@city.example",
        data={"code": "ABC", "contact": "Ana Müller"},
    )
    edited = audit.record(
        action="convene.delegate.updated",
        congress=congress,
        actor=alice,
        data={"changed": {"family_name": ["Müller", "Müller-Silva"]}},
    )
    untouched = audit.record(action="convene.order.paid", congress=congress, data={"code": "X"})

    changed = audit.redact(
        entries=AuditEntry.objects.filter(congress=congress),
        replacements={"ana@city.example": "person-7", "Ana Müller": "person-7", "Müller": "(x)"},
        congress=congress,
        by=alice,
        reason="erasure",
    )

    assert changed == 2
    placed, edited, untouched = (
        AuditEntry.objects.get(pk=e.pk) for e in (placed, edited, untouched)
    )
    assert placed.actor_label == "person-7" and placed.data["contact"] == "person-7"
    assert edited.data == {"changed": {"family_name": ["(x)", "(x)-Silva"]}}
    assert edited.actor_label == "alice" and edited.action == "convene.delegate.updated"
    assert placed.redacted_at and edited.redacted_at and untouched.redacted_at is None
    note = AuditEntry.objects.get(action="convene.audit.redacted")
    assert note.data == {"entries": 2, "reason": "erasure"}


def test_a_second_congress_entry_is_not_touched_by_a_redaction_of_the_first(congress):
    other = CongressFactory()
    theirs = audit.record(action="convene.order.placed", congress=other, actor_label="ana@x")
    audit.redact(entries=AuditEntry.objects.filter(congress=congress), replacements={"ana@x": "p"})
    assert AuditEntry.objects.get(pk=theirs.pk).actor_label == "ana@x"
