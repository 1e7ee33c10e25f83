"""Which language a person reads Brygga in. Their saved preference decides (else their
organization's language); the language switcher of the login page is a choice too, so signing in
after choosing there saves it as the preference instead of being overridden by an older one. The
switcher's cookie and the preference are kept equal, so a stale cookie cannot undo a later
choice made under Preferences."""

from django.conf import settings
from django.utils import translation


def chosen_at_login(request) -> str:
    """The language picked with the switcher before signing in ("" for none)."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return language if language in dict(settings.LANGUAGES) else ""


def adopt_language_chosen_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: the switcher's choice becomes the preference."""
    language = chosen_at_login(request) if request is not None else ""
    if language and language != user.language:
        user.language = language
        user.save(update_fields=["language"])


def do_save_language(request, response, language: str) -> None:
    """Save `language` ("" for the organization's) as the person's preference, speak it from this
    response on (its own messages included) and keep the switcher's cookie equal to it."""
    request.user.language = language
    request.user.save(update_fields=["language"])
    if language:
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, secure=settings.LANGUAGE_COOKIE_SECURE,
                            httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    else:
        organization = getattr(request, "organization", None)
        translation.activate(organization.language if organization else settings.LANGUAGE_CODE)
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
