"""The benchmark's baseline routes exist only when BENCH_BASELINES is on (``make bench``)."""

from __future__ import annotations

from factories import make_organisation, make_user
from factories_agreements import make_agreement


def test_baselines_do_not_exist_in_normal_runs(app) -> None:  # type: ignore[no-untyped-def]
    manager = make_user(app)
    client = app.test_client(user=manager)
    assert client.get("/bench-baseline/table").status_code == 404
    assert client.get("/bench-baseline/row/1").status_code == 404


def test_baselines_render_a_table_when_turned_on(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(BENCH_BASELINES=True)
    manager = make_user(app)
    agreement = make_agreement(app, manager, [make_organisation(app), make_organisation(app)], ready=False)
    assert app.test_client().get("/bench-baseline/table").status_code == 302  # signed in only
    client = app.test_client(user=manager)
    table = client.get("/bench-baseline/table")
    assert table.status_code == 200
    assert agreement.reference in table.get_data(as_text=True)
    row = client.get(f"/bench-baseline/row/{agreement.id}")
    assert row.status_code == 200
    assert agreement.reference in row.get_data(as_text=True)
    assert client.get("/bench-baseline/row/999999").status_code == 404
