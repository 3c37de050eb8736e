"""Grant programs, readiness and drafts through the app: as the town's editor, its COG, another town, an admin."""
from __future__ import annotations

import re
from io import BytesIO

import docx
from conftest import CYCLE, best, csrf_token, town_id, worst
from pypdf import PdfReader

from muni_assess import contentstore
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, GrantDraft


def assess(app, name: str, pick=worst, status: str = "submitted", **changes) -> int:
    tid = town_id(app, name)
    with app.app_context():
        qs = contentstore.current_set()
        answers = {q.id: pick(q) for s in qs.sections_for("CT") for q in s.questions}
        answers.update(changes)
        a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status=status)
        a.answers = [Answer(question_id=k, value=v, note="") for k, v in answers.items()]
        db.session.add(a)
        db.session.commit()
    return tid


def set_answer(app, tid: int, qid: str, value) -> None:
    with app.app_context():
        a = db.session.scalar(db.select(Assessment).where(Assessment.town_id == tid, Assessment.cycle == CYCLE))
        row = next(r for r in a.answers if r.question_id == qid)
        row.value = value
        db.session.commit()


def new_draft(client, tid: int, program: str, items=None, acknowledge=False):
    path = f"/towns/{tid}/{CYCLE}/grants/{program}/new"
    page = client.get(path).get_data(as_text=True)
    if items is None:
        items = re.findall(r'name="items" value="([a-z_]+)"', page)
    data = {"csrf_token": csrf_token(client, path), "items": items}
    if acknowledge:
        data["acknowledge"] = "yes"
    return client.post(path, data=data)


def draft_id_of(response) -> int:
    return int(re.search(r"/grants/drafts/(\d+)", response.headers["Location"]).group(1))


def form_state(client, url: str) -> dict:
    html = client.get(url).get_data(as_text=True)
    texts = dict(re.findall(r'<textarea [^>]*name="(section-[a-z]+)"[^>]*>(.*?)</textarea>', html, re.S))
    import html as htmllib

    data = {k: htmllib.unescape(v) for k, v in texts.items()}
    data["version"] = re.search(r'name="version" value="(\d+)"', html).group(1)
    data["csrf_token"] = csrf_token(client, url)
    return data


def test_programs_page_lists_fit_eligibility_and_readiness(app, login_as):
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    page = editor.get(f"/towns/{tid}/{CYCLE}/grants").get_data(as_text=True)
    assert "State and Local Cybersecurity Grant Program (SLCGP)" in page
    assert "Nutmeg Network / Connecticut Education Network connection funding" in page
    assert "Community Compact" not in page  # a Massachusetts program
    assert "Readiness checklist" in page and "A written cyber incident response plan" in page
    assert "Check with the program." in page
    results = editor.get(f"/towns/{tid}/{CYCLE}/results").get_data(as_text=True)
    assert f"/towns/{tid}/{CYCLE}/grants" in results


def test_ineligible_program_is_marked_with_its_reason_and_drafting_needs_acknowledgement(app, login_as):
    tid = assess(app, "Andover", pick=best)  # connected to the Nutmeg Network already
    editor = login_as("town_editor", town="Andover")
    page = editor.get(f"/towns/{tid}/{CYCLE}/grants").get_data(as_text=True)
    assert "Not eligible" in page and "already connected to the Nutmeg Network" in page
    refused = new_draft(editor, tid, "ct_nutmeg", items=[])
    assert refused.status_code == 400
    assert "not eligible" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(GrantDraft.id))) == 0
    made = new_draft(editor, tid, "ct_nutmeg", items=[], acknowledge=True)
    assert made.status_code == 302


def test_full_draft_downloads_as_docx_and_pdf_with_the_towns_numbers(app, login_as):
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    response = new_draft(editor, tid, "slcgp")
    assert response.status_code == 302
    url = response.headers["Location"]
    page = editor.get(url).get_data(as_text=True)
    for title in ("Statement of need", "Budget justification", "Evaluation plan", "Alignment with state plans"):
        assert title in page
    docx_bytes = editor.get(url + ".docx")
    assert docx_bytes.headers["Cache-Control"] == "no-store"
    document = docx.Document(BytesIO(docx_bytes.data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Statement of need" in headings and "Budget" in headings and "Timeline" in headings
    budget = document.tables[0]
    last = [c.text for c in budget.rows[-1].cells]
    assert last[0] == "Local share"
    total = int(budget.rows[-3].cells[2].text.replace("$", "").replace(",", ""))
    award = int(budget.rows[-2].cells[2].text.replace("$", "").replace(",", ""))
    match = int(last[2].replace("$", "").replace(",", ""))
    lines = [int(r.cells[2].text.replace("$", "").replace(",", "")) for r in budget.rows[1:-3]]
    assert sum(lines) == total == award + match
    assert award == min(round(total * 0.6), 100_000)
    assert any("[TOWN TO SUPPLY:" in p.text for p in document.paragraphs)
    pdf = editor.get(url + ".pdf")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert "Statement of need" in text and "[TOWN TO SUPPLY:" in " ".join(text.split())


def test_every_number_in_the_statement_of_need_is_the_towns_own(app, login_as):
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    did = draft_id_of(new_draft(editor, tid, "slcgp"))
    with app.app_context():
        draft = db.session.get(GrantDraft, did)
        need, items = draft.sections["need"]["text"], set(draft.item_ids)
        from muni_assess.assess import services as assess_services
        from muni_assess.models import Town

        town = db.session.get(Town, tid)
        a = assess_services.get_assessment(town, CYCLE)
        result = assess_services.results(a, "CT")
    allowed = {f"{result.overall:.0f}", str(result.answered_count), str(result.visible_count), str(CYCLE), "100"}
    allowed |= {f"{s.score:.0f}" for s in result.sections}
    unsure = {q.question.id for s in result.sections for q in s.questions
              if q.dont_know and q.is_gap and items & set(q.question.recommendations)}
    allowed.add(str(len(unsure)))
    figures = re.sub(r"“[^”]*”", "", need)  # quoted prompts and answers are words, not figures
    for s in result.sections:
        figures = figures.replace(s.section.title, "")  # "CIS top 5 priorities" is a name
    numbers = set(re.findall(r"\d+", figures))
    assert numbers <= allowed, numbers - allowed
    assert f"{result.overall:.0f} of 100 overall" in need
    for s in result.sections:
        assert f"{s.section.title} {s.score:.0f} ({s.tier_label})" in need


def test_edits_survive_a_change_of_answers_and_refresh_is_offered_not_forced(app, login_as):
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    url = new_draft(editor, tid, "slcgp").headers["Location"]
    data = form_state(editor, url)
    data["section-need"] = "Our own words about why the town needs this."
    assert editor.post(url, data=data).status_code == 302
    set_answer(app, tid, "hygiene_awareness_training", "training_all")  # the assessment changes
    page = editor.get(url).get_data(as_text=True)
    assert "Our own words about why the town needs this." in page  # kept
    assert "The assessment changed since these sections were written" in page
    assert "you edited it: refreshing replaces your edits" in page
    # a stale save (an old page's version) is refused and changes nothing
    old = dict(data, **{"section-need": "A stale overwrite"})
    refused = editor.post(url, data=old)
    assert refused.status_code == 409
    assert "Our own words" in editor.get(url).get_data(as_text=True)
    # refreshing is the user's choice
    fresh = form_state(editor, url)
    did = draft_id_of(type("R", (), {"headers": {"Location": url}})())
    r = editor.post(f"{url}/refresh/need", data={"csrf_token": fresh["csrf_token"], "version": fresh["version"]})
    assert r.status_code == 302
    with app.app_context():
        need = db.session.get(GrantDraft, did).sections["need"]
    assert need["edited"] is False and "Our own words" not in need["text"]


def test_bad_quote_is_refused_and_nothing_changes(app, login_as):
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    url = new_draft(editor, tid, "slcgp").headers["Location"]
    data = form_state(editor, url)
    page = editor.get(url).get_data(as_text=True)
    first = re.search(r'name="quote-([a-z_]+)"', page).group(1)
    data[f"quote-{first}"] = "about ten grand"
    data["section-summary"] = "changed"
    response = editor.post(url, data=data)
    assert response.status_code == 400 and "whole dollars" in response.get_data(as_text=True)
    assert "changed" not in editor.get(url).get_data(as_text=True).split("section-summary")[1][:200]
    data = form_state(editor, url)
    data[f"quote-{first}"] = "12,500"
    assert editor.post(url, data=data).status_code == 302
    assert "$12,500" in editor.get(url).get_data(as_text=True)


def test_other_towns_and_read_only_roles(app, login_as):
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    url = new_draft(editor, tid, "slcgp").headers["Location"]
    other = login_as("town_editor", town="Bolton")
    assert other.get(url).status_code == 404
    assert other.get(url + ".docx").status_code == 404
    assert other.get(f"/towns/{tid}/{CYCLE}/grants").status_code == 404
    cog = login_as("cog_analyst", region="CRCOG")
    assert cog.get(url).status_code == 200 and cog.get(url + ".pdf").status_code == 200
    data = form_state(editor, url)
    data["csrf_token"] = csrf_token(cog, url)
    assert cog.post(url, data=data).status_code == 403
    assert cog.get(f"/towns/{tid}/{CYCLE}/grants/slcgp/new").status_code == 403
    assert editor.get(f"/towns/{tid}/{CYCLE}/grants/ma_cc_it/new").status_code == 404  # another state's program


def test_admin_edits_program_facts_others_cannot(app, login_as):
    admin = login_as("admin")
    page = admin.get("/grants/programs")
    assert page.status_code == 200
    token = csrf_token(admin, "/grants/programs")
    bad = admin.post("/grants/programs", data={"csrf_token": token, "program_id": "slcgp",
                                               "cost_share_rule": "percent_of_total", "cost_share_percent": ""})
    assert bad.status_code == 400 and "Give the percent" in bad.get_data(as_text=True)
    ok = admin.post("/grants/programs", data={"csrf_token": token, "program_id": "slcgp",
                                              "cost_share_rule": "percent_of_total", "cost_share_percent": "25",
                                              "window": "Applications open March 1"})
    assert ok.status_code == 302
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    page = editor.get(f"/towns/{tid}/{CYCLE}/grants").get_data(as_text=True)
    assert "25% of the total project cost" in page and "Applications open March 1" in page
    assert editor.get("/grants/programs").status_code == 403
    with app.app_context():
        from muni_assess.models import GrantProgramFact

        db.session.execute(db.delete(GrantProgramFact))
        db.session.commit()


def test_a_section_the_program_gained_after_the_draft_was_saved_is_offered_not_a_500(app, login_as):
    """A draft saved before its program asked for a section (catalog update) lacks that section: the page opens,
    offers it as a refresh, and the refresh adds it."""
    tid = assess(app, "Andover")
    editor = login_as("town_editor", town="Andover")
    url = new_draft(editor, tid, "slcgp").headers["Location"]
    draft_id = int(url.rsplit("/", 1)[1])
    with app.app_context():
        draft = db.session.get(GrantDraft, draft_id)
        sections = dict(draft.sections)
        sections.pop("evaluation")
        draft.sections = sections
        db.session.commit()
    page = editor.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/refresh/evaluation" in html and 'name="section-evaluation"' not in html
    state = form_state(editor, url)
    refreshed = editor.post(f"{url}/refresh/evaluation", data={"csrf_token": state["csrf_token"],
                                                                "version": state["version"]})
    assert refreshed.status_code == 302
    assert 'name="section-evaluation"' in editor.get(url).get_data(as_text=True)
