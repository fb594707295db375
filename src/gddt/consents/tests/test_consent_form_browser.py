"""The consent part of the registration form in a real browser (Debian's chromium driven by Playwright): the child's
own agreement is offered for a child without an ID card aged 7 or more, not for a younger child nor for an adult."""

from datetime import date

import pytest

pytestmark = pytest.mark.browser


def test_the_childs_checkbox_follows_the_category_and_the_childs_age(live_server, reference, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/dang-ky/")
    child = page.locator('[name="child_consent"]')
    assert page.locator("#consent-sensitive-notice").is_visible()
    assert child.is_hidden()  # an adult registers
    page.check('input[name="category"][value="minor_without_id_card"]')
    assert child.is_visible()  # no date of birth yet: offered
    today = date.today()
    page.fill('[name="date_of_birth"]', date(today.year - 5, 1, 1).isoformat())
    page.locator('[name="date_of_birth"]').dispatch_event("change")
    assert child.is_hidden()
    page.fill('[name="date_of_birth"]', date(today.year - 9, 1, 1).isoformat())
    page.locator('[name="date_of_birth"]').dispatch_event("change")
    assert child.is_visible()
    page.check('input[name="category"][value="with_id_card"]')
    assert child.is_hidden()
