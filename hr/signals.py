"""Domain events of the HR app: plain Django signals, so other apps can follow HR changes
without `hr` knowing they exist.

Both are sent by the action functions in `hr.actions`, *inside* the transaction of the change:
a receiver that must write in the same transaction (an integration's outbox row) can, and a
receiver's exception rolls the change back. Receivers with work that must only happen after the
commit (enqueueing a job, sending mail) wrap it in `transaction.on_commit` themselves.

`changed_fields` maps a field name to `(old, new)`: model values, with foreign keys given as
primary keys (`"manager": (3, 7)`); on creation old values are None, on deletion new ones are.
`origin` is an `hr.models.Origin` value: `"external"` marks a change that came from another
system through `hr.actions.update_from_external`, so a receiver that pushes changes to that
system can skip it instead of echoing it back.
"""

from django.dispatch import Signal

# employee_changed.send(sender=Employee, employee=..., changed_fields=..., created=bool, origin=str)
employee_changed = Signal()

# absence_changed.send(sender=Absence, absence=..., changed_fields=..., created=bool, deleted=bool, origin=str)
# On deletion `absence.pk` still holds the deleted row's id, so receivers can find what was linked to it.
absence_changed = Signal()
