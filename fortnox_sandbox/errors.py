"""Fortnox's error bodies. Handlers raise these; the dispatcher renders them."""

import uuid

from django.http import JsonResponse

V3 = "v3"
WAREHOUSE = "warehouse"


class ApiError(Exception):
    status = 400

    def body(self, style: str) -> dict:
        raise NotImplementedError

    def response(self, style: str) -> JsonResponse:
        return JsonResponse(self.body(style), status=self.status, json_dumps_params={"ensure_ascii": False})


class FortnoxError(ApiError):
    """`{"ErrorInformation": {...}}` of /3. Live traffic mixes key casings: most 400s use lower
    case, the observed 404s capitalised keys (API-FACTS §2.5, §11), so the raiser chooses."""

    def __init__(self, code: int, message: str, status: int = 400, capitalised: bool = False):
        super().__init__(message)
        self.code, self.message, self.status, self.capitalised = code, message, status, capitalised

    def body(self, style: str) -> dict:
        if style == WAREHOUSE:
            return WarehouseError("missing.rights" if self.status in (401, 403) or self.code in ACCESS_CODES else "error",
                                  self.message, self.status).body(style)
        keys = ("Error", "Message", "Code") if self.capitalised else ("error", "message", "code")
        return {"ErrorInformation": dict(zip(keys, (1, self.message, self.code)))}


class NotFound(FortnoxError):
    def __init__(self, code: int, message: str):
        super().__init__(code, message, status=404, capitalised=True)


class WarehouseError(ApiError):
    """The warehouse API's `WebException`: `{"error": key, "message": text, "id": uuid}`."""

    def __init__(self, error: str, message: str, status: int = 400):
        super().__init__(message)
        self.error, self.message, self.status = error, message, status

    def body(self, style: str) -> dict:
        return {"error": self.error, "message": self.message, "id": str(uuid.uuid4())}


class Unauthorized(ApiError):
    status = 401

    def body(self, style: str) -> dict:
        return {"message": "unauthorized"}


class TooManyRequests(ApiError):
    # Fortnox documents no 429 body; this one is the sandbox's choice.
    status = 429

    def body(self, style: str) -> dict:
        return {"message": "Too Many Requests"}


class InjectedFailure(ApiError):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status

    def body(self, style: str) -> dict:
        if style == WAREHOUSE:
            return WarehouseError("internal", "System exception", self.status).body(style)
        return {"ErrorInformation": {"error": 1, "message": "System exception", "code": 1000003}}


class MethodNotAllowed(ApiError):
    status = 405

    def body(self, style: str) -> dict:
        return {"message": "Method not allowed"}


MISSING_SCOPE = 2000663
NO_MODULE_LICENCE = 2001101
NO_API_LICENCE = 2001103
ACCESS_CODES = {MISSING_SCOPE, NO_MODULE_LICENCE, NO_API_LICENCE}


def bad_json() -> FortnoxError:
    return FortnoxError(2002115, "Error deserializing JSON: JSON_ERROR_SYNTAX")


def no_data() -> FortnoxError:
    return FortnoxError(2001392, "Ingen eller felaktig typ av data.")


def unknown_field(name: str) -> FortnoxError:
    return FortnoxError(2001399, f"Felaktigt fältnamn ({name})")


def invalid_parameter(name: str) -> FortnoxError:
    return FortnoxError(2000588, f"Ogiltig parameter i anropet ({name}).")


def invalid_filter() -> FortnoxError:
    return FortnoxError(2000587, "Ett ogiltigt filter har använts.")
