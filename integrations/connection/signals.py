from django.dispatch import Signal

# An organization connected (or re-connected) Fortnox: its company answered. Arguments:
# `connection` and `client` (open on it), for the features to read what they start from (the
# warehouse reads the company's warehouse mode). Sent with `send` inside the connect: a receiver's
# FortnoxError undoes the connection, so a receiver that may carry on without Fortnox catches its own.
connected = Signal()
