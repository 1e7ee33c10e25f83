"""More for `/healthz` to report, registered by the apps that run their own processes (the Fortnox
event listener) in their `AppConfig.ready()`, so the health view names none of them. Each check
is a function returning a JSON-able dict with a "status"; what it reports does not decide the
view's 200 or 503 (those stay the database and the job cluster: the product works without it)."""

checks: dict = {}


def report() -> dict:
    found = {}
    for name, check in checks.items():
        try:
            found[name] = check()
        except Exception as exc:  # a check that breaks is reported, never a 500
            found[name] = {"status": f"error: {exc.__class__.__name__}"}
    return found
