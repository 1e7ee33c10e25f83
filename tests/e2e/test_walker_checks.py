"""The page walker's checks find what they are there to find: a page built with each fault is
reported, a clean one is not (so a walk that passes means something)."""

import pytest

from tests.support.page_walker import PHONE, language_problems, layout_problems

pytestmark = pytest.mark.e2e

CLEAN = """<!DOCTYPE html><html lang="sv"><body><nav class="brygga-nav"><ul><li><a href="/">Översikt</a></li></ul></nav>
<main id="content"><h1>Plocklista</h1><p>Allt klart.</p></main></body></html>"""


@pytest.fixture
def sheet(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def test_a_clean_page_has_no_problems(sheet):
    sheet.set_content(CLEAN)
    assert layout_problems(sheet, phone=True, warehouse=False) == []
    assert language_problems(sheet, "sv") == []


def test_a_page_wider_than_the_phone_is_reported(sheet):
    sheet.set_content('<!DOCTYPE html><main id="content"><div style="width:900px">wide</div></main>')
    assert any("scrolls sideways" in p for p in layout_problems(sheet, phone=True, warehouse=False))


def test_a_column_hidden_in_a_sideways_scrolling_box_is_reported(sheet):
    sheet.set_content('<!DOCTYPE html><div style="overflow-x:auto"><div style="width:900px">wide</div></div>')
    assert any("hides" in p for p in layout_problems(sheet, phone=True, warehouse=False))


def test_buttons_lying_over_each_other_are_reported(sheet):
    sheet.set_content('<!DOCTYPE html><button style="position:absolute;top:0;left:0;width:100px;height:50px">A</button>'
                      '<button style="position:absolute;top:20px;left:20px;width:100px;height:50px">B</button>')
    assert any("overlaps" in p for p in layout_problems(sheet, phone=True, warehouse=False))


def test_a_small_touch_target_and_an_unreachable_scan_field_on_a_warehouse_page_are_reported(sheet):
    sheet.set_content('<!DOCTYPE html><main id="content"><input class="scan-input"><div style="height:3000px"></div>'
                      '<button style="height:20px">Plocka</button></main>')
    problems = layout_problems(sheet, phone=True, warehouse=True)
    assert any("touch target" in p for p in problems)
    assert any("scan field is out of reach" in p for p in problems)


def test_a_field_grown_many_lines_high_is_reported(sheet):
    sheet.set_content('<!DOCTYPE html><select style="height:10em"><option>Chef</option></select>')
    assert any("px high" in p for p in layout_problems(sheet, phone=True, warehouse=False))


def test_text_left_in_the_other_language_is_reported(sheet):
    sheet.set_content('<!DOCTYPE html><main id="content"><h1>Pick queue</h1><a href="/">Plocklista</a></main>')
    assert language_problems(sheet, "sv") == ["English text on a page in sv: 'Pick queue'"]
    assert language_problems(sheet, "en") == ["Swedish text on a page in en: 'Plocklista'"]
