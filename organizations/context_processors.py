from .permissions import Perm


def organization(request):
    """What the base layout needs: the current organization, the user's other organizations,
    and which menu entries their role opens."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    org = request.organization
    membership = request.membership
    if user.is_superuser:
        allowed = set(Perm)
    elif membership is not None:
        allowed = {p for p in Perm if membership.can(p)}
    else:
        allowed = set()
    unread = 0
    if org is not None:
        from .models import Notification

        unread = Notification.objects.filter(user=user, organization=org, read_at__isnull=True).count()
    return {
        "unread_notifications": unread,
        "current_organization": org,
        "current_membership": membership,
        "user_memberships": request.memberships,
        "can": {p.value: (p in allowed) for p in Perm},
        "can_use_admin": can_use_admin(user),
    }


def can_use_admin(user) -> bool:
    """Does the Django admin show this person anything? Staff without a single model permission
    reach only its "You don't have permission to view or edit anything" page, so no link leads
    there. (Permissions are read once per request and cached on the user.)"""
    return user.is_active and user.is_staff and (user.is_superuser or bool(user.get_all_permissions()))
