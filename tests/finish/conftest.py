from tests.hr.conftest import absence_types, make_employee, staff  # noqa: F401 (the HR tests' fixtures)
