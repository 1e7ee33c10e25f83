ANNA = {"FirstName": "Anna", "LastName": "Berg", "Email": "anna@example.se"}


def create_employee(api, **fields):
    response = api.post("3/employees", {"Employee": {**ANNA, **fields}})
    assert response.status_code == 201, response.content
    return response.json()["Employee"]


def error_code(response) -> int:
    info = response.json()["ErrorInformation"]
    return info.get("code", info.get("Code"))
