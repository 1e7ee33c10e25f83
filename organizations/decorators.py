from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from .permissions import Perm, user_can


def organization_required(perm: Perm | None = None):
    """Every organization page goes through here: logged in, working in an organization, and
    (when `perm` is given) holding that permission there. Objects are then looked up through
    `request.organization`, so another organization's id is a 404."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.organization is None:
                return render(request, "organizations/no_organization.html", status=403)
            if perm is not None and not user_can(request.user, request.organization, perm, request.membership):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
