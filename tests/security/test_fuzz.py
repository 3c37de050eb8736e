"""Fuzzing: hypothesis posts random and hostile values (wrong types, huge strings, unknown ids, other towns' ids,
unicode, NUL bytes, HTML and SQL fragments, JSON of the wrong shape) to every route in app.url_map, signed in
as a town editor. Never a 500 (or a stack trace), and nothing the editor may not touch changes: other towns'
assessments and answers, any row of another town, other accounts, and the editor's own role and scope.

Routes are enumerated, so routes added later are fuzzed too. Runtime is bounded by max_examples."""
from __future__ import annotations

import json
import re
import string
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from conftest import CYCLE, csrf_token, login, town_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from muni_assess.extensions import db

SKIP_ENDPOINTS = ("static",)
SESSION_ENDERS = ("logout", "sign_out", "signout", "everywhere")  # would end the fuzzing session: own session only
HOSTILE = [
    "", " ", "\x00", "a\x00b", "0", "-1", "1.5", "1e308", "NaN", "Infinity", "2147483648", "9223372036854775808",
    "-9223372036854775809", "99999999999999999999999999", "true", "null", "None", "[]", "{}",
    '{"value": [1, {"a": null}]}',
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{7*7}}", "{% debug %}", "${7*7}",
    "' OR '1'='1", "1; DROP TABLE answer;--", "\" OR 1=1 --", "1' UNION SELECT password_hash FROM user_account--",
    "../../etc/passwd", "%00", "%2e%2e%2f", "\u202e\u0645\u0631\u062d\u0628\u0627", "Zoë 東京 🏛️", "\ufeff",
    "\r\n\r\nX: y",
    "dont_know", "no_backup", "scheduled_all", "yes", "no", "none", "CRCOG", "NVCOG",
]
FIELD_NAMES = ["value", "note", "version", "csrf_token", "from_previous", "email", "password", "name", "role",
               "town", "region", "code", "program", "items", "amount", "title", "text", "next", "q_backup_location",
               "v_backup_location", "note_backup_location", "q_strategy_it_plan", "v_strategy_it_plan", "id"]

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80),
    st.integers(min_value=3_000, max_value=40_000).map(lambda n: "x" * n),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
path_texts = st.one_of(
    st.sampled_from([h for h in HOSTILE if h and "/" not in h and "\x00" not in h]),
    st.text(alphabet=string.ascii_letters + string.digits + "_-.~'\"<>;é東", min_size=1, max_size=40),
)
form_values = st.one_of(texts, st.lists(texts, max_size=4))
FORMS = st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(min_size=1, max_size=12)), form_values,
                        max_size=6)
json_bodies = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | texts,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=3), max_leaves=8)


@pytest.fixture
def world(app, users):
    """Andover's editor (signed in) with a started assessment; Bolton's and Ansonia's assessments with answers."""
    from muni_assess import contentstore
    from muni_assess.models import Answer, Assessment

    own, other, far = town_id(app, "Andover"), town_id(app, "Bolton"), town_id(app, "Ansonia")
    with app.app_context():
        qs = contentstore.current_set()
        for tid, status in ((own, "in_progress"), (other, "in_progress"), (far, "submitted")):
            a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                           content_sha256=qs.sha256, status=status)
            a.answers = [Answer(question_id="backup_location", value="near_town", note=f"secret of {tid}"),
                         Answer(question_id="backup_coverage", value=["email"], note="")]
            db.session.add(a)
        db.session.commit()
    users.make("town_editor", town="Bolton")  # another town's account, which must not change
    editor_id, email = users.make("town_editor", town="Andover")
    client = app.test_client()
    login(client, email)
    token = csrf_token(client, f"/towns/{own}/{CYCLE}/")
    return {"app": app, "client": client, "email": email, "editor_id": editor_id, "own": own, "other": other,
            "far": far, "token": token, "question_ids": sorted(qs.questions),
            "section_ids": [s.id for s in qs.sections]}


def untouchable(app, own: int, editor_id: int) -> dict:
    """Everything the editor may not change: other towns' rows (any table with a town_id), their assessments'
    answers, and every account (the editor's own only by its role and scope)."""
    from muni_assess.models import Answer, Assessment, User

    snap = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if "town_id" in table.c and table.name != "user_account":
                rows = db.session.execute(sa.select(table).where(table.c.town_id != own)
                                          .order_by(*table.primary_key.columns))
                snap[table.name] = [tuple(r) for r in rows]
        snap["answers"] = [tuple(r) for r in db.session.execute(
            sa.select(Answer.id, Answer.question_id, Answer.value, Answer.note, Answer.version)
            .join(Assessment).where(Assessment.town_id != own).order_by(Answer.id))]
        snap["accounts"] = [tuple(r) for r in db.session.execute(
            sa.select(User.id, User.email, User.role, User.town_id, User.region_id, User.active, User.password_hash)
            .where(User.id != editor_id).order_by(User.id))]
        snap["me"] = tuple(db.session.execute(sa.select(User.role, User.town_id, User.region_id, User.active)
                                              .where(User.id == editor_id)).one())
    return snap


def fuzzable_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.endpoint not in SKIP_ENDPOINTS and not any(s in r.endpoint for s in SESSION_ENDERS)]


def url_args(draw, rule, w) -> dict:
    """Values for a rule's URL arguments: own, other and unknown towns, odd cycles, real and hostile ids."""
    args = {}
    ints = st.sampled_from([w["own"], w["other"], w["far"], 0, 1, 999_999, 2**31, 2**63, CYCLE, CYCLE - 1, 1999])
    for name in rule.arguments:
        converter = rule._converters.get(name)
        kind = type(converter).__name__ if converter else ""
        if name == "town_id":
            args[name] = draw(st.sampled_from([w["own"], w["own"], w["other"], w["far"], 0, 999_999, 2**31]))
        elif name in w.get("ids", {}):
            args[name] = draw(st.sampled_from(w["ids"][name]))
        elif name == "cycle":
            args[name] = draw(st.sampled_from([CYCLE, CYCLE, CYCLE - 1, CYCLE + 1, 1999, 2**31]))
        elif "Integer" in kind:
            args[name] = draw(ints)
        elif name == "question_id":
            args[name] = draw(st.one_of(st.sampled_from(w["question_ids"]), path_texts))
        elif name == "section_id":
            args[name] = draw(st.one_of(st.sampled_from(w["section_ids"]), path_texts))
        elif name == "fmt":
            args[name] = draw(st.one_of(st.sampled_from(["docx", "pdf", "xlsx", "csv"]), path_texts))
        elif name == "filename":
            args[name] = draw(st.sampled_from(["css/app.css", "x.js"]))
        else:
            args[name] = draw(st.one_of(st.sampled_from(["CRCOG", "NVCOG", "slcgp", "1"]), path_texts))
    return args


def build_path(rule, args) -> str:
    path = rule.rule
    for name, value in args.items():
        path = re.sub(r"<(?:[^:<>]+:)?" + re.escape(name) + r">", quote(str(value), safe=""), path)
    return path


@st.composite
def requests_(draw, w, rule=None, method=None):
    rule = rule or draw(st.sampled_from(fuzzable_rules(w["app"])))
    method = method or draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    path = build_path(rule, url_args(draw, rule, w))
    forms = w.get("forms", FORMS)
    headers = {}
    if draw(st.booleans()):
        headers["X-Requested-With"] = "fetch"
    if draw(st.integers(0, 9)) > 0:  # mostly with a valid CSRF token, so the handlers themselves are reached
        headers["X-CSRFToken"] = w["token"]
    if method == "GET":
        return method, path, {"query_string": draw(forms), "headers": headers}
    if draw(st.integers(0, 4)) == 0:
        body = json.dumps(draw(json_bodies)).encode()
        return method, path, {"data": body, "content_type": "application/json", "headers": headers}
    data = draw(forms)
    if draw(st.booleans()):
        data["csrf_token"] = w["token"]
    return method, path, {"data": data, "headers": headers}


def check(response, path) -> None:
    assert response.status_code < 500, f"{response.status_code} for {path}"
    if not (response.mimetype.startswith("text/") or response.is_json):
        return  # a document download (PDF, XLSX...)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "sqlalchemy" not in body.lower(), path


def test_every_route_survives_hostile_input(world):
    app, client = world["app"], world["client"]
    before = untouchable(app, world["own"], world["editor_id"])
    seen = set()

    @settings(max_examples=450, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(data=st.data())
    def run(data):
        method, path, kwargs = data.draw(requests_(world))
        response = client.open(path, method=method, **kwargs)
        check(response, f"{method} {path}")
        seen.add(response.status_code)

    run()
    assert {200, 400, 404} <= seen, f"the fuzzing did not reach the handlers: {sorted(seen)}"
    assert untouchable(app, world["own"], world["editor_id"]) == before
    assert client.get("/").status_code == 302  # still signed in: sent to the town home, not the sign-in page
    assert "/auth/login" not in client.get("/").headers["Location"]


def test_autosave_refuses_hostile_values(world):
    """The JSON autosave endpoint, aimed at real questions of the editor's own and other towns."""
    from muni_assess.models import Answer, Assessment

    app, client = world["app"], world["client"]
    before = untouchable(app, world["own"], world["editor_id"])
    own_question_ids = ["backup_location", "backup_coverage", "nutmeg_connection_cost", "strategy_it_plan"]
    seen = set()

    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large])
    @given(tid=st.sampled_from([world["own"], world["other"], world["far"], 999_999]),
           qid=st.one_of(st.sampled_from(own_question_ids), path_texts),
           value=form_values, note=st.one_of(texts, st.none()), version=st.one_of(texts, st.integers(-5, 5)))
    def run(tid, qid, value, note, version):
        data = {"value": value, "version": str(version)}
        if note is not None:
            data["note"] = note
        response = client.post(f"/towns/{tid}/{CYCLE}/answers/{quote(qid, safe='')}", data=data,
                               headers={"X-Requested-With": "fetch", "X-CSRFToken": world["token"]})
        check(response, qid)
        seen.add(response.status_code)
        if tid != world["own"]:
            assert response.status_code == 404
        elif response.status_code == 200:
            assert response.is_json and response.get_json()["status"] in ("saved", "unchanged")

    run()
    assert {200, 400, 404} <= seen, sorted(seen)
    assert untouchable(app, world["own"], world["editor_id"]) == before
    with app.app_context():  # whatever was accepted is a valid, cleaned value (never raw hostile text)
        for value in db.session.scalars(sa.select(Answer.value).join(Assessment)
                                        .where(Assessment.town_id == world["own"])):
            assert "\x00" not in json.dumps(value) and "<script>" not in json.dumps(value)


# --- every form and JSON endpoint, for every signed-in role ------------------------------------------------

def form_field_names(app) -> list[str]:
    """The name of every field of every form the app defines (section forms built for every section), so the
    fuzzing fills the real forms of every blueprint, including ones added later."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    from muni_assess import contentstore
    from muni_assess.assess.forms import build_section_form

    with app.app_context():
        for section in contentstore.current_set().sections:
            build_section_form(section)
    names, stack = set(), list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names |= {n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}
    return sorted(names)


def role_snapshot(app, role: str, me: int) -> dict:
    """What a signed-in user of this role may not change, whatever they send.

    Every role: the audit trail is append-only (no event changes or disappears), and the user's own role and
    scope. Town editors: every row of another town (answers included) and every other account. COG analysts:
    every row of a town outside their region, every answer, every other account, the state's funding data and
    grant facts. State analysts: every answer, every other account, grant facts. Admins may change the rest."""
    from muni_assess.models import (
        Answer,
        Assessment,
        AuditEvent,
        FundingCostDefault,
        FundingScenario,
        GrantProgramFact,
        Town,
        User,
    )

    snap = {}
    with app.app_context():
        snap["audit"] = [tuple(r) for r in db.session.execute(
            sa.select(AuditEvent.id, AuditEvent.action, AuditEvent.user_id, AuditEvent.town_id, AuditEvent.detail)
            .order_by(AuditEvent.id))]
        user = db.session.get(User, me)
        snap["me"] = (user.role, user.town_id, user.region_id, user.active)
        if role == "admin":
            return snap
        if role == "town_editor":
            outside = sa.select(Town.id).where(Town.id != user.town_id)
        elif role == "cog_analyst":
            outside = sa.select(Town.id).where(Town.region_id != user.region_id)
        else:
            outside = sa.select(Town.id).where(sa.false())
        answers = sa.select(Answer.id, Answer.question_id, Answer.value, Answer.note, Answer.version).join(Assessment)
        if role == "town_editor":
            answers = answers.where(Assessment.town_id.in_(outside))
        snap["answers"] = [tuple(r) for r in db.session.execute(answers.order_by(Answer.id))]
        snap["accounts"] = [tuple(r) for r in db.session.execute(
            sa.select(User.id, User.email, User.role, User.town_id, User.region_id, User.active, User.password_hash,
                      User.mfa_enabled, User.session_epoch).where(User.id != me).order_by(User.id))]
        snap["facts"] = [tuple(r) for r in db.session.execute(sa.select(GrantProgramFact.__table__))]
        for table in db.metadata.sorted_tables:
            if "town_id" in table.c and table.name not in ("user_account", "audit_event"):
                snap[table.name] = [tuple(r) for r in db.session.execute(
                    sa.select(table).where(table.c.town_id.in_(outside)).order_by(*table.primary_key.columns))]
        if role in ("town_editor", "cog_analyst"):
            snap["funding"] = ([tuple(r) for r in db.session.execute(sa.select(FundingScenario.__table__))],
                               [tuple(r) for r in db.session.execute(sa.select(FundingCostDefault.__table__))])
    return snap


ROLE_SCOPES = [("town_editor", {"town": "Andover"}), ("cog_analyst", {"region": "CRCOG"}), ("state_analyst", {}),
               ("admin", {})]
EXAMPLES_PER_ENDPOINT = 3


@pytest.mark.parametrize("role,scope", ROLE_SCOPES, ids=[r for r, _ in ROLE_SCOPES])
def test_every_form_and_json_endpoint_for_every_role(app, users, login_as, role, scope):
    """Each rule of app.url_map, with each of its methods, gets hostile query strings, form bodies and JSON bodies
    (EXAMPLES_PER_ENDPOINT each, so no endpoint is left to chance), signed in as each role: never a 500, and
    nothing the role may not change has changed."""
    from muni_assess import audit, contentstore
    from muni_assess.models import Answer, Assessment, FundingScenario, GrantDraft

    own, other, far = town_id(app, "Andover"), town_id(app, "Bolton"), town_id(app, "Ansonia")
    victim_id, _ = users.make("town_editor", town="Ansonia")
    with app.app_context():
        qs = contentstore.current_set()
        drafts = []
        for tid, status in ((own, "in_progress"), (other, "submitted"), (far, "submitted")):
            a = Assessment(town_id=tid, cycle=CYCLE, question_set_id=qs.id, question_set_version=qs.version,
                           content_sha256=qs.sha256, status=status)
            a.answers = [Answer(question_id="backup_location", value="near_town", note=f"secret of {tid}")]
            draft = GrantDraft(town_id=tid, cycle=CYCLE, program_id="slcgp", item_ids=[],
                               sections={"need": {"text": "t", "generated": "t", "edited": True}})
            db.session.add_all([a, draft])
            drafts.append(draft)
        scenario = FundingScenario(state="CT", name="Fuzz scenario", budget=1_000_000, weights={},
                                   include_unknown=False)
        db.session.add(scenario)
        audit.record("answer.change", town=far, detail={"question": "backup_location", "old": None, "new": "x"})
        db.session.commit()
        ids = {"draft_id": [d.id for d in drafts] + [0, 2**31], "user_id": [victim_id, 0, 999_999, 2**31],
               "scenario_id": [scenario.id, 0, 2**31], "invitation_id": [1, 0, 2**31]}
    client = login_as(role, **scope)
    w = {"app": app, "own": own, "other": other, "far": far, "token": csrf_token(client, "/"), "ids": ids,
         "question_ids": sorted(qs.questions), "section_ids": [s.id for s in qs.sections],
         "forms": st.dictionaries(st.one_of(st.sampled_from(form_field_names(app)), st.sampled_from(FIELD_NAMES)),
                                  form_values, max_size=8)}
    before = role_snapshot(app, role, client.user_id)
    reached, seen = set(), set()

    def fuzz(rule, method):
        @settings(max_examples=EXAMPLES_PER_ENDPOINT, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.data_too_large, HealthCheck.filter_too_much])
        @given(data=st.data())
        def run(data):
            method_, path, kwargs = data.draw(requests_(w, rule, method))
            response = client.open(path, method=method_, **kwargs)
            check(response, f"{role} {method_} {path}")
            response.close()
            seen.add(response.status_code)
            reached.add((rule.endpoint, method_))

        run()

    for rule in sorted(fuzzable_rules(app), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            fuzz(rule, method)
    expected = {(r.endpoint, m) for r in fuzzable_rules(app) for m in r.methods - {"HEAD", "OPTIONS"}}
    assert reached == expected
    assert {200, 400, 404} <= seen or role == "town_editor" and {200, 404} <= seen, sorted(seen)
    after = role_snapshot(app, role, client.user_id)
    assert after.pop("audit")[:len(before["audit"])] == before.pop("audit")  # new events only appended
    assert after == before
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" not in response.headers["Location"]  # still signed in
