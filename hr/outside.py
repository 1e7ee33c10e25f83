"""Where HR records stand in the systems they are sent to (a payroll system), for HR's pages and
lists, without `hr` knowing any of them: an integration registers a `Tracker` when it loads.

A tracker gives, for a list of employees or absences (`kind` "employee" or "absence"), a state
per object that knows its own template (`state.template`, rendered with `state` and `manage`),
and the ids of the objects whose last transfer failed, for the lists' "failed in …" filter, and
(`waiting_notice`) what to tell the person who just saved a change the system cannot receive now."""

from typing import Protocol

from django.http import HttpResponse
from django.shortcuts import render


class Tracker(Protocol):
    key: str  # in URLs: ?fortnox=failed
    name: str  # as people call the system

    def states(self, kind: str, objects: list) -> dict: ...

    def failed_ids(self, kind: str, organization): ...

    def waiting_notice(self, kind: str, obj) -> str: ...


TRACKERS: list[Tracker] = []


def register(tracker: Tracker) -> None:
    if all(known.key != tracker.key for known in TRACKERS):
        TRACKERS.append(tracker)


def attach_states(kind: str, objects) -> list:
    """The objects, each with `outside_states`: its state in every system that tracks it."""
    objects = list(objects)
    by_tracker = [tracker.states(kind, objects) for tracker in TRACKERS]
    for obj in objects:
        obj.outside_states = [states[obj.pk] for states in by_tracker if obj.pk in states]
    return objects


def only_failed(queryset, kind: str, organization, key: str):
    """The objects whose transfer to the system `key` failed (all of them for an unknown key)."""
    for tracker in TRACKERS:
        if tracker.key == key:
            return queryset.filter(pk__in=tracker.failed_ids(kind, organization))
    return queryset


def waiting_notices(kind: str, obj) -> list[str]:
    """What to tell the person who just saved `obj`: one sentence for each system that cannot
    receive the change now (it is kept and sent later), none when all can."""
    return [notice for tracker in TRACKERS if (notice := tracker.waiting_notice(kind, obj))]


def render_state(request, state, *, manage: bool) -> HttpResponse:
    """One object's state as its badge (what the pages poll while a change is on its way); empty
    when no system tracks it."""
    if state is None:
        return HttpResponse("")
    return render(request, state.template, {"state": state, "manage": manage})
