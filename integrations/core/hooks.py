"""What the shared machinery asks of the features, so that `integrations.core` never imports one.
Each feature registers here in its AppConfig.ready().

- sweepers: run by the outbox sweeper every minute, before it pushes what is due (e.g. HR's
  user synchronisations whose job was lost are queued again).
- cancellable run kinds: the runs whose job stops at a cancel (the admin's "Cancel" action). An
  absence's transfer shows its progress as a run too, but its job is the absence's outbox event.
- plan run kinds: the runs whose `data["plan"]` holds personal data, removed after the retention
  period by the daily purge.
"""

from collections.abc import Callable

_sweepers: dict[str, Callable[[], object]] = {}
cancellable_run_kinds: set[str] = set()
plan_run_kinds: set[str] = set()


def register_sweeper(sweeper: Callable[[], object]) -> None:
    _sweepers[f"{sweeper.__module__}.{sweeper.__qualname__}"] = sweeper


def run_sweepers() -> None:
    for sweeper in _sweepers.values():
        sweeper()
