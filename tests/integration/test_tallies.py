"""The dashboard's maintained counts stay equal to a recount from the records, whatever changes."""

from __future__ import annotations

from factories import Cast, make_organisation, update_organisation
from factories_agreements import make_agreement
from flask import Flask
from sqlalchemy import select

from registry.extensions import db
from registry.models import Agreement, Party
from registry.services import agreement_parts, lifecycle, tallies


def maintained_and_recounted(app: Flask) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    dimensions = ("status", "kind", "sector", "gaps")
    with app.app_context():
        maintained = {d: tallies.counts(d) for d in dimensions}
        tallies.rebuild()
        recounted = {d: tallies.counts(d) for d in dimensions}
        db.session.rollback()  # leave the maintained rows as they were
    return maintained, recounted


def test_counts_follow_every_kind_of_change(app: Flask, cast: Cast) -> None:
    college = make_organisation(app, name="Tally College", kind="college", sector="public")
    ready = make_agreement(app, cast.manager, [cast.own_org, college], status="approved")
    draft = make_agreement(app, cast.manager, [cast.own_org], ready=False, kind="one_way")
    make_agreement(app, cast.manager, [cast.own_org, cast.other_org], status="active")
    maintained, recounted = maintained_and_recounted(app)
    assert maintained == recounted
    assert maintained["status"]["approved"] == 1 and maintained["status"]["draft"] == 1
    assert maintained["gaps"]["draft"] == 1  # the unready draft, counted by its stored readiness
    assert maintained["sector"]["public"] == 2 and maintained["sector"]["third"] == 3

    with app.app_context():  # parts added and removed, a status change, a material change
        actor = db.session.merge(cast.manager)
        agreement = db.session.get(Agreement, draft.id)
        agreement_parts.add_party(actor, agreement, {"organisation_id": college.id, "role": "recipient"},
                                  read_version=agreement.lock_version)  # fmt: skip
        db.session.commit()
        party = db.session.scalar(select(Party).where(Party.agreement_id == draft.id,
                                                      Party.organisation_id == cast.own_org.id))  # fmt: skip
        agreement_parts.remove_party(actor, agreement, party, read_version=agreement.lock_version)
        db.session.commit()
        approved = db.session.get(Agreement, ready.id)
        lifecycle.request_signatures(actor, approved, read_version=approved.lock_version)
        db.session.commit()
    maintained, recounted = maintained_and_recounted(app)
    assert maintained == recounted
    assert maintained["status"]["approved"] == 0 and maintained["status"]["awaiting_signatures"] == 1

    update_organisation(app, college, sector="private")  # recounts every sector
    maintained, recounted = maintained_and_recounted(app)
    assert maintained == recounted
    assert maintained["sector"]["private"] == 2 and maintained["sector"]["public"] == 1


def test_a_draft_made_ready_leaves_the_gaps_count(app: Flask, cast: Cast, as_user) -> None:
    make_agreement(app, cast.manager, [cast.own_org], ready=False)
    ready = make_agreement(app, cast.manager, [cast.own_org, cast.other_org])
    maintained, _ = maintained_and_recounted(app)
    assert maintained["gaps"]["draft"] == 1
    with app.app_context():
        assert db.session.get(Agreement, ready.id).readiness_gaps == 0
    listed = as_user(cast.ig).get("/agreements/?gaps=yes")
    assert "1 agreement matches" in listed.text and ready.reference not in listed.text
