"""Home's step cards at 800 px (#20 item 10): four cards side by side left about 100 px each
with the sidebar open and broke "bidirectional" into "bidirectiona l"; they come two a row."""

from __future__ import annotations

from tests.app.conftest import assert_clean, open_page


def test_step_cards_come_two_a_row():
    at = open_page()
    assert_clean(at)
    rows = [block for block in at.main.children.values() if block.type == "flex_container"]
    cards = [row for row in rows if _page_links(row)]
    assert [len(row.children) for row in cards] == [2, 2]
    assert sum(_page_links(row) for row in cards) == 4


def _page_links(block) -> int:
    found = 0
    for child in (getattr(block, "children", None) or {}).values():
        found += getattr(child, "type", "") == "page_link"
        found += _page_links(child)
    return found
