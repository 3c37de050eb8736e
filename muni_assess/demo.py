"""Demo data: accounts with fresh random passwords, and realistic assessments for several regions.

Answers are generated from the content itself (so they are always valid) with a seeded random generator, so
the same command gives the same towns and answers every time. Each town has a maturity propensity (larger
towns lean a little higher), shifted per section (a town can be strong on backups and weak on data). As in real
towns, a practice is either fully in place or falls well short: the chance of the best answer grows with the
section's maturity, and otherwise the answer is drawn below it. Some answers are "I don't know"; some have notes.
That keeps the regional views honest to look at: common gaps range from nearly every town to a few.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select

from muni_assess import contentstore
from muni_assess.auth.services import create_user
from muni_assess.extensions import db
from muni_assess.models import Answer, Assessment, Region, Town, User
from muni_assess.models._base import utcnow
from muni_assess.models.assessment import IN_PROGRESS, SUBMITTED
from muni_assess.passwords import hash_password, random_password
from scoring.content import Question, QuestionSet
from scoring.engine import DONT_KNOW, is_visible

DEMO_REGIONS = {"CT": ("CRCOG", "NVCOG", "SCCOG"), "MA": ("FRCOG", "MVPC", "OCPC")}
DEMO_TOWN = {"CT": "Andover", "MA": "Ashfield"}
NOTES = ("Check with the finance director.", "Vendor quote requested in spring.",
         "Shared with the school district IT coordinator.", "Revisit after the budget vote.")


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str
    scope: str


def _demo_accounts(state: str) -> list[DemoLogin]:
    """Create or refresh the four demo accounts, each with a new random password (never a default one)."""
    region = DEMO_REGIONS[state][0]
    specs = [("town_editor", "town.editor@demo.muni-assess.org", {"town": DEMO_TOWN[state]}, DEMO_TOWN[state]),
             ("cog_analyst", "cog.analyst@demo.muni-assess.org", {"region": region}, region),
             ("state_analyst", "state.analyst@demo.muni-assess.org", {}, f"all {state} towns"),
             ("admin", "admin@demo.muni-assess.org", {}, "everything")]
    logins = []
    for role, email, scope, label in specs:
        password = random_password()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            create_user(email, role, password, state=state, name=role.replace("_", " ").title(), **scope)
        else:
            user.password_hash, user.active = hash_password(password), True
        logins.append(DemoLogin(role, email, password, label))
    return logins


def _pick_single(q: Question, p: float, rng: random.Random) -> str:
    if rng.random() < 0.05:
        return DONT_KNOW_VALUE(q)
    if not q.scored:
        return rng.choice([o.value for o in q.options if not o.dont_know])
    options = [o for o in q.options if not o.dont_know]
    if rng.random() < p ** 1.3:
        return max(options, key=lambda o: o.level or 0).value
    target = max(0.0, min(1.0, rng.gauss(p * 0.6, 0.2))) * q.max_level
    return min(options, key=lambda o: (abs((o.level or 0) - target), rng.random())).value


def DONT_KNOW_VALUE(q: Question) -> str:  # noqa: N802 - reads like the constant it returns
    return next(o.value for o in q.options if o.dont_know)


def _pick_multi(q: Question, p: float, rng: random.Random) -> list[str]:
    if rng.random() < 0.04:
        return [DONT_KNOW_VALUE(q)]
    chosen = [o.value for o in q.countable if rng.random() < p]
    if chosen:
        return chosen
    exclusive = [o.value for o in q.options if o.exclusive]
    return exclusive[:1] or [q.countable[0].value]


def _pick(q: Question, p: float, rng: random.Random):
    if q.type == "single":
        return _pick_single(q, p, rng)
    if q.type == "multi":
        return _pick_multi(q, p, rng)
    if rng.random() < 0.2:
        return DONT_KNOW
    low, high = q.min or 0, q.max or 250_000
    return int(min(high, max(low, rng.uniform(15_000, 120_000))) // 100 * 100)


def demo_answers(qs: QuestionSet, state: str, p: float, rng: random.Random, share: float = 1.0) -> dict:
    """A plausible answer set for a town of maturity `p`; `share` < 1 leaves later questions unanswered."""
    answers: dict = {}
    sections = qs.sections_for(state)
    stop = round(sum(len(s.questions) for s in sections) * share)
    for section in sections:
        p_section = max(0.05, min(0.95, rng.gauss(p, 0.15)))
        for q in section.questions:
            if len(answers) >= stop:
                return answers
            if is_visible(q, answers):
                answers[q.id] = _pick(q, p_section, rng)
    return answers


def _store(assessment: Assessment, answers: dict, rng: random.Random) -> None:
    for qid, value in answers.items():
        note = rng.choice(NOTES) if rng.random() < 0.06 else ""
        assessment.answers.append(Answer(question_id=qid, value=value, note=note))


def _assess(town: Town, cycle: int, qs: QuestionSet, p: float, rng: random.Random, status: str,
            share: float = 1.0) -> None:
    assessment = Assessment(town=town, cycle=cycle, question_set_id=qs.id, question_set_version=qs.version,
                            content_sha256=qs.sha256, status=status)
    # Spread the last activity over the cycle so "last activity" columns look like real work.
    end = min(utcnow(), dt.datetime(cycle, 12, 31, tzinfo=dt.UTC))
    assessment.updated_at = end - dt.timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 600))
    assessment.created_at = assessment.updated_at - dt.timedelta(days=rng.randint(1, 30))
    if status == SUBMITTED:
        assessment.submitted_at = assessment.updated_at
    _store(assessment, demo_answers(qs, town.state, p, rng, share), rng)
    db.session.add(assessment)


def seed_demo(state: str, cycle: int) -> list[DemoLogin]:
    """Demo accounts plus assessments for the demo regions' towns (existing assessments are left alone)."""
    logins = _demo_accounts(state)
    qs = contentstore.current_set()
    rng = random.Random(20261122)
    codes = DEMO_REGIONS[state]
    towns = list(db.session.scalars(select(Town).join(Region).where(Region.code.in_(codes)).order_by(Town.name)))
    have = {(a.town_id, a.cycle) for a in db.session.scalars(
        select(Assessment).where(Assessment.town_id.in_([t.id for t in towns])))}
    for town in towns:
        p = min(0.9, max(0.12, rng.gauss(0.45 + 0.08 * (town.population > 20_000), 0.18)))
        roll = rng.random()
        if town.name == DEMO_TOWN[state]:
            roll, p = 0.5, 0.4
        if roll < 0.55 and (town.id, cycle - 1) not in have:
            _assess(town, cycle - 1, qs, max(0.05, p - 0.1), rng, SUBMITTED)
        if (town.id, cycle) in have or roll >= 0.85:
            continue  # not started this cycle
        if roll < 0.5:
            _assess(town, cycle, qs, p, rng, SUBMITTED)
        else:
            _assess(town, cycle, qs, p, rng, IN_PROGRESS, share=rng.uniform(0.2, 0.8))
    db.session.flush()
    return logins
