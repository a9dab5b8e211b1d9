from factories import make_organisation


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_manager_sees_organisation(app, cast, as_user):
    organisation = make_organisation(app, name="Smoke Test Trust")
    response = as_user(cast.manager).get(f"/organisations/{organisation.id}")
    assert response.status_code == 200
    assert "Smoke Test Trust" in response.text
