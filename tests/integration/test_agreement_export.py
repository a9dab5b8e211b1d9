"""The agreements register's export (CSV and XLSX): the same agreements as the filtered list, only
those the user may see, cells a spreadsheet will not run, an audit event, a constant number of
statements, and a body that streams (the first piece goes out before the rows are read).

The 100,000-row figures (time to first byte, memory) are measured by ``python -m bench.export``.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from counting import counting
from factories import Cast, audit_events, make_agreement, make_organisation
from flask import Flask
from sqlalchemy import insert, select

from registry.dates import today_in_london
from registry.extensions import db
from registry.models import Agreement, Party
from registry.services import agreement_export

HEADINGS = [
    "Reference", "Title", "Kind", "Status", "Version", "Partnership", "Parties", "Owner", "Purpose", "Data shared",
    "Special category data", "Criminal offence data", "Lawful basis (Article 6)", "Effective from", "End date",
    "Next review date", "Review", "Last changed (UK time)",
]  # fmt: skip
REFERENCE = re.compile(r"DSA-\d{4}-\d{4,}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes) -> tuple[list[Any], list[list[Any]], Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    return values[0], values[1:], sheet


def listed(client: Any, query: str) -> set[str]:
    """The references the list shows for the same filters (all on one page here)."""
    page = client.get(f"/agreements/?{query}")
    assert page.status_code == 200
    return set(REFERENCE.findall(page.text))


@pytest.fixture
def register(app: Flask, cast: Cast) -> dict[str, Any]:
    """Agreements of different kinds and statuses; one with special category data, one with the
    other organisation only (so the partner of ``own_org`` must not get it)."""
    from registry.services import agreement_parts

    third = make_organisation(app, name="Third Sector Trust", sector="third", kind="charity")
    made = {
        "active": make_agreement(app, cast.manager, [cast.own_org, third], status="active",
                                 next_review_date=today_in_london() + timedelta(days=20)),
        "draft": make_agreement(app, cast.manager, [cast.own_org], kind="one_way"),
        "other": make_agreement(app, cast.manager, [cast.other_org, third], status="active"),
        "special": make_agreement(app, cast.manager, [cast.own_org, cast.other_org]),
    }  # fmt: skip
    with app.app_context():
        actor = db.session.merge(cast.manager)
        special = db.session.get(Agreement, made["special"].id)
        agreement_parts.add_item(
            actor, special, {"name": "Health needs", "category": "special_category"}, read_version=special.lock_version
        )
        db.session.commit()
    return made


def test_the_csv_has_plain_headings_and_the_lists_agreements(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    manager = as_user(cast.manager)
    response = manager.get("/agreements/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    today = today_in_london().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="agreements-{today}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = csv_rows(response.data)
    assert list(rows[0]) == HEADINGS
    assert [row["Reference"] for row in rows] == sorted(a.reference for a in register.values())
    active = next(row for row in rows if row["Reference"] == register["active"].reference)
    assert active["Status"] == "Active"
    assert active["Kind"] == "Two-way sharing of personal data"
    assert active["Parties"] == "Own Housing Association; Third Sector Trust"
    assert active["Lawful basis (Article 6)"] == "Article 6(1)(e) public task"
    assert active["Data shared"] == "Personal data"
    assert (active["Special category data"], active["Criminal offence data"]) == ("No", "No")
    assert active["Effective from"] == today
    assert active["Review"] == "Due in 20 days"
    assert active["Owner"]
    special = next(row for row in rows if row["Reference"] == register["special"].reference)
    assert special["Data shared"] == "Personal data; Special category data"
    assert special["Special category data"] == "Yes"
    assert special["Review"] == "No review scheduled"


@pytest.mark.parametrize(
    "query",
    ["status=active", "kind=one_way", "data=special_category", "q=nothing-matches", "sort=-reference", "review=30",
     "status=draft&sort=title"],
)  # fmt: skip
def test_filters_give_the_same_agreements_as_the_list(app: Flask, cast: Cast, register, as_user, query: str) -> None:  # type: ignore[no-untyped-def]
    manager = as_user(cast.manager)
    exported = [row["Reference"] for row in csv_rows(manager.get(f"/agreements/export.csv?{query}").data)]
    assert set(exported) == listed(manager, query)
    _, rows, _ = xlsx_rows(manager.get(f"/agreements/export.xlsx?{query}").data)
    assert [row[0] for row in rows] == exported, "the spreadsheet has the same rows in the same order"
    if "sort=-reference" in query:
        assert exported == sorted(exported, reverse=True)


def test_the_organisation_filter(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    manager = as_user(cast.manager)
    query = f"organisation={cast.other_org.id}"
    exported = {row["Reference"] for row in csv_rows(manager.get(f"/agreements/export.csv?{query}").data)}
    assert exported == {register["other"].reference, register["special"].reference} == listed(manager, query)


def test_a_partner_gets_only_their_organisations_agreements(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    own = {register[key].reference for key in ("active", "draft", "special")}
    for fmt in ("csv", "xlsx"):
        data = as_user(cast.partner).get(f"/agreements/export.{fmt}").data
        got = {row["Reference"] for row in csv_rows(data)} if fmt == "csv" else {r[0] for r in xlsx_rows(data)[1]}
        assert got == own
    other = {row["Reference"] for row in csv_rows(as_user(cast.other_partner).get("/agreements/export.csv").data)}
    assert other == {register["other"].reference, register["special"].reference}
    # naming another organisation in the address does not widen what a partner sees
    query = f"organisation={cast.other_org.id}"
    widened = {row["Reference"] for row in csv_rows(as_user(cast.partner).get(f"/agreements/export.csv?{query}").data)}
    assert widened == {register["special"].reference}


def test_the_xlsx_has_headings_real_dates_and_a_frozen_heading_row(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user(cast.ig).get("/agreements/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"].endswith(f'agreements-{today_in_london().isoformat()}.xlsx"')
    header, rows, sheet = xlsx_rows(response.data)
    assert header == HEADINGS
    assert sheet.title == "Agreements"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert len(rows) == 4
    active = next(row for row in rows if row[0] == register["active"].reference)
    assert active[HEADINGS.index("Version")] == 1
    effective = active[HEADINGS.index("Effective from")]
    assert isinstance(effective, datetime) and effective.date() == today_in_london()  # a real date
    assert sheet.cell(row=rows.index(active) + 2, column=HEADINGS.index("Effective from") + 1).number_format == (
        "d mmmm yyyy"
    )
    assert active[HEADINGS.index("Parties")] == "Own Housing Association; Third Sector Trust"


def test_unknown_format_404_and_a_bad_date_is_ignored_as_on_the_list(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    manager = as_user(cast.manager)
    assert manager.get("/agreements/export.pdf").status_code == 404
    assert manager.get("/agreements/export.CSV").status_code == 404
    query = "starts_from=31/2/2026&status=active"
    exported = {row["Reference"] for row in csv_rows(manager.get(f"/agreements/export.csv?{query}").data)}
    assert exported == listed(manager, query) == {register["active"].reference, register["other"].reference}
    recorded = audit_events(app, "agreements.exported")[-1]
    assert recorded.changes["ignored"]["after"] == ["Starts on or after"]


def test_each_download_is_audited_with_its_filters(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    as_user(cast.ig).get(f"/agreements/export.xlsx?status=active&organisation={cast.own_org.id}&sort=title")
    as_user(cast.partner).get("/agreements/export.csv")
    first, second = audit_events(app, "agreements.exported")
    assert first.actor_id == cast.ig.id
    assert first.changes["format"]["after"] == "XLSX"
    assert first.changes["filters"]["after"] == {"status": "active", "organisation_id": cast.own_org.id}
    assert first.changes["sort"]["after"] == "Title (A to Z)"
    assert second.changes["format"]["after"] == "CSV"
    assert second.changes["filters"]["after"] == "none"
    log = as_user(cast.ig).get("/audit/?action=agreements.exported")
    assert "Agreements list exported" in log.text


def test_hostile_text_is_inert_in_both_files(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    titles = {
        "formula": '=HYPERLINK("http://evil","x")',
        "plus": "+cmd|calc",
        "hidden": "\x01=1+1",  # a control character XML cannot hold, in front of a formula
        "markup": "<script>alert(1)</script> & </t></is></c>",
        "control": "Vertical\x0btab\x0cfeed\x1bescape",
        "unicode": "Team \U0001f468\u200d\U0001f469\u200d\U0001f467 \u202eevil\u202c Zero\u200bwidth",
    }
    made = {name: make_agreement(app, cast.manager, [cast.own_org], title=title) for name, title in titles.items()}
    manager = as_user(cast.manager)
    rows = {row["Reference"]: row["Title"] for row in csv_rows(manager.get("/agreements/export.csv").data)}
    _, sheet_rows, _ = xlsx_rows(manager.get("/agreements/export.xlsx").data)
    cells = {row[0]: row[1] for row in sheet_rows}
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    for name, agreement in made.items():
        assert not rows[agreement.reference].startswith(dangerous), name
        assert not cells[agreement.reference].startswith(dangerous), name
    assert rows[made["formula"].reference] == "'" + titles["formula"]
    assert cells[made["formula"].reference] == "'" + titles["formula"], "the same text as the CSV"
    assert cells[made["hidden"].reference] == "'=1+1"
    assert cells[made["markup"].reference] == titles["markup"]
    assert cells[made["control"].reference] == "Verticaltabfeedescape"
    assert cells[made["unicode"].reference] == rows[made["unicode"].reference] == titles["unicode"]


def test_a_download_left_unread_does_not_leak_into_the_next_request(app: Flask, cast: Cast, register, as_user) -> None:  # type: ignore[no-untyped-def]
    """The test client reads one piece of a streamed body and keeps the rest; what is left must not
    lend the manager's request (its ``g``, with the signed-in user) to the partner's next one."""
    kept = [as_user(cast.manager).get(f"/agreements/export.{fmt}") for fmt in ("csv", "xlsx")]
    page = as_user(cast.partner).get("/agreements/")
    for response in kept:
        response.close()
    assert page.status_code == 200
    assert register["active"].reference in page.text
    assert register["other"].reference not in page.text, "the partner's list was drawn as the manager's"


def test_statements_do_not_grow_with_the_rows(app: Flask, cast: Cast, as_user) -> None:  # type: ignore[no-untyped-def]
    """Each batch is read by a fixed number of statements (agreements, parties, data items)."""
    client = as_user(cast.admin)
    others = [make_organisation(app, sector="third", kind="charity") for _ in range(3)]
    counts = {}
    made = 0
    for size in (3, 12):
        while made < size:
            make_agreement(app, cast.admin, [cast.own_org, others[made % 3]], status="active")
            made += 1
        for fmt in ("csv", "xlsx"):
            client.get(f"/agreements/export.{fmt}").close()  # warm
            with counting(app) as statements:
                response = client.get(f"/agreements/export.{fmt}")
                body = response.data
            counts[fmt, size] = len(statements)
            assert body
    assert counts["csv", 3] == counts["csv", 12], counts
    assert counts["xlsx", 3] == counts["xlsx", 12], counts


def test_batches_follow_one_another_without_gaps_or_repeats(app: Flask, cast: Cast, register) -> None:
    """Batches of two over each sort give the rows the single query gives."""
    from registry.services.agreement_filters import SORTS, AgreementFilters, query

    with app.app_context():
        admin = db.session.merge(cast.admin)
        for sort in SORTS:
            found = AgreementFilters(sort=sort)
            whole = [agreement.reference for agreement in db.session.scalars(query(admin, found))]
            batched = [agreement.reference for agreement in agreement_export.agreements(admin, found, batch=2)]
            assert batched == whole, sort


def _bulk_agreements(app: Flask, organisation_id: int, count: int) -> None:
    """Many agreements fast (Core inserts, no audit events): enough for several batches."""
    now = datetime.now(UTC)
    with app.app_context():
        db.session.execute(
            insert(Agreement.__table__),
            [
                {"reference": f"DSA-2099-{n:05d}", "title": f"Bulk agreement {n}", "kind": "two_way",
                 "status": "active", "version_number": 1, "review_interval_months": 12, "lock_version": 1,
                 "effective_from": date(2026, 1, 1), "created_at": now, "updated_at": now}
                for n in range(count)
            ],
        )  # fmt: skip
        ids = db.session.scalars(select(Agreement.id).where(Agreement.reference.like("DSA-2099-%")))
        db.session.execute(
            insert(Party.__table__),
            [{"agreement_id": id_, "organisation_id": organisation_id, "role": "controller"} for id_ in ids],
        )
        db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_streams(app: Flask, cast: Cast, as_user, fmt: str) -> None:  # type: ignore[no-untyped-def]
    """The response is a generator; its first piece comes before any batch is read, while the audit
    event is already committed (another connection sees it); the body then holds every row."""
    total = 2000
    _bulk_agreements(app, cast.own_org.id, total)
    with counting(app) as statements:
        response = as_user(cast.manager).get(f"/agreements/export.{fmt}", buffered=False)
        assert response.is_streamed
        chunks = iter(response.response)
        first = next(chunks)
        batches_read = sum(1 for s in statements if re.search(r"FROM agreement\b", s) and "LIMIT" in s)
        assert batches_read == 0, "the first piece goes out before the agreements are read"
        assert len(audit_events(app, "agreements.exported")) == 1, "the download's event is committed first"
        pieces = [first, *chunks]
        batches_read = sum(1 for s in statements if re.search(r"FROM agreement\b", s) and "LIMIT" in s)
    response.close()
    assert len(pieces) > 2
    assert batches_read == total // agreement_export.BATCH + 1
    body = b"".join(piece if isinstance(piece, bytes) else piece.encode() for piece in pieces)
    if fmt == "csv":
        assert len(csv_rows(body)) == total
    else:
        assert len(xlsx_rows(body)[1]) == total
