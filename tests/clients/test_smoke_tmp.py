from tests.conftest import api_login, login


def test_chart(alice, counselor, outsider):
    r = login(counselor).get(f"/clients/{alice.pk}/")
    assert r.status_code == 200, r.content[:2000]
    assert b"Rivera" in r.content
    assert login(outsider).get(f"/clients/{alice.pk}/").status_code == 404
    r = login(counselor).get("/clients/")
    assert r.status_code == 200 and b"Rivera" in r.content
    r = login(counselor).get(f"/clients/{alice.pk}/care-team/")
    assert r.status_code == 200
    r = login(counselor).get(f"/clients/{alice.pk}/update/")
    assert r.status_code == 200
    r = login(counselor).get("/clients/create/")
    assert r.status_code == 200
    r = api_login(counselor).get("/api/v1/clients/")
    assert r.status_code == 200 and r.json()["count"] == 1, r.content
    r = api_login(outsider).get(f"/api/v1/clients/{alice.pk}/")
    assert r.status_code == 404
