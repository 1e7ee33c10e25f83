"""What the seam tells the rest of Brygga without knowing who listens (see docs/architecture.md)."""

from django.dispatch import Signal

# Fortnox refused the connection's authorization for good (a spent refresh token, revoked
# access), inside the transaction that holds the connection's row lock. Arguments:
# `connection` (that row, to be saved by the receiver) and `reason` (Fortnox's words). Sent with
# `send`, so a receiver that fails fails the request too: the connection must not stay "connected".
authorisation_lost = Signal()
