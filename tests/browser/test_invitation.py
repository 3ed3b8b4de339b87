"""In Chromium: an admin invites an editor; the editor opens the link of the message the SMTP
server received, chooses a password and signs in."""

from __future__ import annotations

import re

from tests.browser.conftest import ADMIN, shoot
from tests.factories import PASSWORD
from tests.mail_server import text_of

INVITED = "new-editor@example.org"
CHOSEN = "copper meadow signal orchard"


def test_an_admin_invites_an_editor_who_sets_a_password_and_signs_in(
    browser, live_server, live_inbox, screenshot_dir
):
    admin = browser.new_context(viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    page.goto(live_server + "/auth/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(live_server + "/")  # signed in before the next page is asked for
    page.goto(live_server + "/admin/users")
    page.fill("#email", INVITED)
    page.select_option("#role", "editor")
    page.select_option("#city", "dortmund")
    page.click("form[action='/admin/users'] [type=submit]")
    page.wait_for_selector(".flash")
    assert "invitation" in page.inner_text(".flash")
    assert "invited, no password yet" in page.inner_text("main")
    shoot(page, screenshot_dir / "invitation-sent.png", full_page=True)
    admin.close()

    (message,) = [m for m in live_inbox.messages if m["To"] == INVITED]
    link = re.search(r"https?://\S+/auth/set-password/\S+", text_of(message))
    assert link

    editor = browser.new_context(viewport={"width": 390, "height": 844})
    page = editor.new_page()
    page.goto(link.group(0))
    assert INVITED in page.inner_text("main")
    page.fill("#new_password", CHOSEN)
    page.fill("#confirm", CHOSEN)
    page.click("#submit")
    page.wait_for_url(live_server + "/auth/login")
    page.fill("#email", INVITED)
    page.fill("#password", CHOSEN)
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    assert "Dortmund" in page.inner_text(".account")
    shoot(page, screenshot_dir / "invited-editor-signed-in.png", full_page=True)
    # The link worked once.
    page.goto(link.group(0))
    assert "already been used" in page.inner_text("main")
    editor.close()
