"""The day plan and the diff: pure rules, no database, no HTTP."""

from datetime import date

from integrations.absence_sync.plan import Day, Held, calendar_days, day_plan, diff


def hours_for(start, end, weekday_hours=8.0):
    return {day: (weekday_hours if day.weekday() < 5 else 0.0) for day in calendar_days(start, end)}


def held(link_id, day, code="SJK", extent=100.0, hours=8.0):
    return Held(link_id=link_id, transaction_id=f"t{link_id}", Date=day, CauseCode=code, Extent=extent, Hours=hours)


def test_a_plan_has_one_transaction_per_day_with_scheduled_hours_and_hours_follow_the_grade():
    plan = day_plan("VAB", 50, hours_for(date(2026, 3, 2), date(2026, 3, 8)))  # Monday to Sunday
    assert list(plan) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06"]
    assert plan["2026-03-02"] == Day(Date="2026-03-02", CauseCode="VAB", Extent=50.0, Hours=4.0)


def test_a_day_without_scheduled_hours_gets_no_transaction_and_part_days_are_rounded_to_hundredths():
    plan = day_plan("SJK", 33, {date(2026, 6, 6): 0.0, date(2026, 6, 8): 7.5})
    assert list(plan) == ["2026-06-08"] and plan["2026-06-08"].Hours == 2.48


def test_the_diff_creates_missing_days_changes_altered_ones_and_deletes_days_no_longer_absent():
    plan = day_plan("SJK", 100, hours_for(date(2026, 3, 3), date(2026, 3, 4)))
    plan["2026-03-04"] = Day("2026-03-04", "SJK", 50.0, 4.0)
    changes = diff(plan, [held(1, "2026-03-02"), held(2, "2026-03-03"), held(3, "2026-03-04")])
    assert [h.link_id for h in changes.delete] == [1]
    assert [(h.link_id, d.Extent) for h, d in changes.update] == [(3, 50.0)]
    assert changes.create == [] and len(changes) == 2


def test_the_diff_of_what_is_already_held_is_empty():
    plan = day_plan("SJK", 100, hours_for(date(2026, 3, 2), date(2026, 3, 6)))
    assert len(diff(plan, [held(n, key) for n, key in enumerate(plan)])) == 0


def test_two_held_transactions_on_one_day_keep_the_older_and_delete_the_other():
    plan = day_plan("SJK", 100, {date(2026, 3, 2): 8.0})
    changes = diff(plan, [held(7, "2026-03-02"), held(4, "2026-03-02")])
    assert [h.link_id for h in changes.delete] == [7] and not changes.update and not changes.create


def test_an_empty_plan_deletes_everything_held():
    changes = diff({}, [held(1, "2026-03-02"), held(2, "2026-03-03")])
    assert len(changes.delete) == 2 and len(changes) == 2
