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
    }
