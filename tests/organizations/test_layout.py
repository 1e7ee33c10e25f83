def test_the_dashboard_shows_the_current_organization_to_a_member(tenant, client_for):
    response = client_for(tenant.employee).get("/")
    assert response.status_code == 200
    assert "Alfa AB" in response.content.decode()
