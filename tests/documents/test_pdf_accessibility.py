"""The PDFs people download, read back as assistive technology and PDF viewers meet them: the roadmap, a grant
draft, the regional brief and the funding brief each carry a title shown instead of the file name, the document
language and an outline (bookmarks) that opens with the document and follows the text's reading order.
(They are not tagged PDF: ReportLab writes no structure tree. The README's Accessibility section says so.)"""
from __future__ import annotations

import io
import re

import pytest
from conftest import CYCLE
from pypdf import PdfReader

FUNDING = "budget=2000000&w_need=35&w_population=25&w_readiness=20&w_leverage=10&w_equity=10"


@pytest.fixture
def downloads(app, login_as):
    """(title pattern, PDF bytes) of each kind of PDF, downloaded through the app with demo data."""
    from muni_assess.demo import seed_demo
    from muni_assess.extensions import db
    from muni_assess.grants import services as grants
    from muni_assess.models import Town, User

    with app.app_context():
        seed_demo("CT", CYCLE)
        db.session.commit()
        town = db.session.scalar(db.select(Town).where(Town.name == "Andover"))
        editor = db.session.scalar(db.select(User).where(User.role == "town_editor"))
        fit, _ = grants.fit_for(town, CYCLE, "slcgp")
        draft = grants.create_draft(town, CYCLE, "slcgp", [i.rec.id for i in fit.items], True, editor)
        db.session.commit()
        tid, region, draft_id = town.id, town.region.code, draft.id
    editor, cog = login_as("town_editor", town="Andover"), login_as("cog_analyst", region=region)
    state = login_as("state_analyst")
    roadmap = rf"^IT improvement roadmap: Andover, CT, {CYCLE}$"
    wanted = {"roadmap": (editor, f"/towns/{tid}/{CYCLE}/roadmap.pdf", roadmap),
              "grant draft": (editor, f"/towns/{tid}/{CYCLE}/grants/drafts/{draft_id}.pdf", r"Andover"),
              "regional brief": (cog, f"/regions/{region}/export.pdf", rf"^IT readiness brief: .+, {CYCLE}$"),
              "funding brief": (state, f"/state/funding/brief.pdf?{FUNDING}", r"^Nutmeg Network connection funding: ")}
    out = {}
    for name, (client, url, title) in wanted.items():
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/pdf", (name, response.status)
        out[name] = (title, response.data)
    return out


def flat(outline) -> list:
    return [x for item in outline for x in (flat(item) if isinstance(item, list) else [item])]


def squash(text: str) -> str:
    return " ".join(text.split())


def test_every_pdf_has_title_language_and_an_outline_in_reading_order(downloads):
    for name, (title, data) in downloads.items():
        reader = PdfReader(io.BytesIO(data))
        root = reader.trailer["/Root"]
        assert re.search(title, reader.metadata.title or ""), (name, reader.metadata.title)
        assert reader.metadata.author and reader.metadata.subject, name
        assert root["/Lang"] == "en-US", name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True, name  # the title, not "roadmap.pdf"
        assert root["/PageMode"] == "/UseOutlines", name  # bookmarks shown on opening

        entries = flat(reader.outline)
        assert len(entries) >= 3, name
        pages = [reader.get_destination_page_number(e) for e in entries]
        assert pages == sorted(pages), f"{name}: bookmarks jump back and forth"
        texts = [squash(p.extract_text()) for p in reader.pages]
        for entry, page in zip(entries, pages, strict=True):  # each bookmark lands on its heading's page
            assert squash(entry.title) in texts[page], f"{name}: {entry.title!r} not on page {page + 1}"
        whole, at = " ".join(texts), 0
        for entry in entries:  # and the headings come in the text in the bookmarks' order
            found = whole.find(squash(entry.title), at)
            assert found >= at, f"{name}: {entry.title!r} out of reading order"
            at = found
