"""The `muni-assess` commands as an operator runs them."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, build_app

from muni_assess.cli import main
from muni_assess.extensions import db
from muni_assess.models import Assessment, Region, Town, User


def test_seed_is_idempotent_and_counts_reference_data(app, runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "CT: 9 regions and 169 towns" in first.output
    assert "municipal-it v1" in first.output
    assert runner.invoke(args=["seed"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Town.id))) == 169
        assert db.session.scalar(db.select(db.func.count(Region.id)).where(Region.state == "CT")) == 9
        hartford = db.session.scalar(db.select(Town).where(Town.name == "Hartford"))
        assert hartford.region.code == "CRCOG" and hartford.population > 100_000


def test_seed_demo_prints_random_logins_and_makes_varied_data(app, runner):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    logins = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s+\(", result.output, re.M)
    assert [role for role, _, _ in logins] == ["town_editor", "cog_analyst", "state_analyst", "admin"]
    again = runner.invoke(args=["seed", "--demo"])
    second = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)\s+\(", again.output, re.M)
    assert {p for _, _, p in logins}.isdisjoint({p for _, _, p in second})  # fresh passwords, never defaults
    with app.app_context():
        assessments = list(db.session.scalars(db.select(Assessment)))
        current = [a for a in assessments if a.cycle == 2026]
        statuses = {a.status for a in current}
        assert statuses == {"submitted", "in_progress"}
        assert len({a.town_id for a in current}) >= 40
        assert any(a.cycle == 2025 for a in assessments)
        towns = db.session.scalars(db.select(Town).where(Town.id.in_({a.town_id for a in current})))
        assert len({t.region_id for t in towns}) >= 3
        assert db.session.scalar(db.select(db.func.count(User.id))) == 4
    # the printed password signs in
    client = app.test_client()
    from conftest import login

    login(client, logins[0][1], second[0][2])


def test_create_user_with_and_without_password(app, runner):
    ok = runner.invoke(args=["create-user", "--email", "Clerk@Bolton.example", "--role", "town_editor",
                             "--town", "Bolton", "--password", "a sufficiently long one"])
    assert ok.exit_code == 0, ok.output
    assert "Created Town editor clerk@bolton.example (Bolton)" in ok.output
    prompted = runner.invoke(args=["create-user", "--email", "cog@crcog.example", "--role", "cog_analyst",
                                   "--region", "CRCOG"], input="another long password\nanother long password\n")
    assert prompted.exit_code == 0, prompted.output
    assert "another long password" not in prompted.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "cog@crcog.example"))
        assert user.region.code == "CRCOG" and user.password_hash.startswith("$argon2id$")


def test_create_user_refuses_bad_input(app, runner):
    cases = [
        (["--role", "town_editor", "--town", "Atlantis"], "No town named 'Atlantis'"),
        (["--role", "town_editor"], "needs --town"),
        (["--role", "cog_analyst", "--region", "XYZ"], "No region 'XYZ'"),
        (["--role", "admin", "--password", "short"], "at least 12 characters"),
    ]
    for extra, message in cases:
        args = ["create-user", "--email", "x@example.org", *extra]
        if "--password" not in extra:
            args += ["--password", "long enough password"]
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, (extra, result.output)
    bad_role = runner.invoke(args=["create-user", "--email", "x@example.org", "--role", "mayor",
                                   "--password", "long enough password"])
    assert bad_role.exit_code != 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_validate_content_ok_and_failing(tmp_path):
    from click.testing import CliRunner

    ok = CliRunner().invoke(main, ["validate-content"])
    assert ok.exit_code == 0, ok.output
    assert "municipal-it v1: 8 sections" in ok.output and "Content is valid." in ok.output
    broken = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", broken)
    path = broken / "municipal-it" / "v1" / "backup.yaml"
    text = path.read_text()
    path.write_text(text.replace("level: 4", "level: 9", 1))
    line = text[: text.index("level: 4")].count("\n") + 1
    result = CliRunner().invoke(main, ["validate-content", "--path", str(broken)])
    assert result.exit_code == 1
    assert f"backup.yaml:{line}: questions[0] (backup_consistency).options[4] (monitored).level" in result.output
    assert "1 problem(s) found" in result.output


def test_app_refuses_to_start_on_bad_content(tmp_path, database_url):
    broken = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", broken)
    path = broken / "municipal-it" / "v1" / "cloud.yaml"
    path.write_text(path.read_text().replace("weight:", "wieght:", 1))
    try:
        build_app(database_url, QUESTIONNAIRE_DIR=str(broken))
    except RuntimeError as exc:
        assert "cloud.yaml:" in str(exc) and "wieght" in str(exc)
    else:
        raise AssertionError("the app started on malformed content")


def test_console_script_is_installed(tmp_path):
    exe = Path(sys.executable).parent / "muni-assess"
    result = subprocess.run([str(exe), "validate-content"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Content is valid." in result.stdout


def test_init_db_runs_migrations_on_a_fresh_database(tmp_path):
    from click.testing import CliRunner

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = build_app(url)
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
    assert {"region", "town", "user_account", "assessment", "answer", "alembic_version"} <= tables
    assert CliRunner  # the CLI runner used above is Flask's own


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def test_roadmap_for_one_town_to_a_file_or_a_folder(app, runner, tmp_path):
    result = runner.invoke(args=["roadmap", "--town", "Andover", "--cycle", "2026", "--out", str(tmp_path / "a.pdf")])
    assert result.exit_code == 0, result.output
    assert f"Wrote {tmp_path / 'a.pdf'}" in result.output
    assert "IT improvement roadmap Andover, CT" in _pdf_text(tmp_path / "a.pdf")
    result = runner.invoke(args=["roadmap", "--town", "New Hartford", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "roadmap-new-hartford-ct-2026.pdf").exists()


def test_roadmap_batch_for_a_region_with_progress(app, runner, tmp_path):
    out = tmp_path / "metrocog"
    result = runner.invoke(args=["roadmap", "--region", "metrocog", "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "METROCOG roadmaps" in result.output and "Wrote 6 roadmaps" in result.output
    with app.app_context():
        names = sorted(t.name for t in db.session.scalars(
            db.select(Town).join(Region).where(Region.code == "MetroCOG")))
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == len(names) == 6
    assert "roadmap-bridgeport-ct-2026.pdf" in files
    assert "Bridgeport, CT" in _pdf_text(out / "roadmap-bridgeport-ct-2026.pdf")


def test_roadmap_refuses_unclear_requests(app, runner, tmp_path):
    both = runner.invoke(args=["roadmap", "--town", "Andover", "--region", "CRCOG", "--out", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one of --town NAME or --region ID" in both.output
    unknown = runner.invoke(args=["roadmap", "--town", "Springfield", "--out", str(tmp_path / "x.pdf")])
    assert unknown.exit_code == 1 and "No town named 'Springfield' in CT" in unknown.output
    region = runner.invoke(args=["roadmap", "--region", "NOPE", "--out", str(tmp_path)])
    assert region.exit_code == 1 and "No region 'NOPE'" in region.output
    assert not (tmp_path / "x.pdf").exists()


def _submitted_worst(app, name: str) -> None:
    from muni_assess import contentstore

    with app.app_context():
        qs = contentstore.current_set()
        town = db.session.scalar(db.select(Town).where(Town.name == name))
        answers = {}
        for section in qs.sections_for("CT"):
            for q in section.questions:
                if q.type == "number":
                    answers[q.id] = 0
                elif q.type == "multi":
                    answers[q.id] = [o.value for o in q.options if o.exclusive][:1] or [q.countable[0].value]
                else:
                    answers[q.id] = min((o for o in q.options if not o.dont_know), key=lambda o: o.level or 0).value
        from muni_assess.models import Answer

        a = Assessment(town=town, cycle=2026, question_set_id=qs.id, question_set_version=qs.version,
                       content_sha256=qs.sha256, status="submitted")
        a.answers = [Answer(question_id=k, value=v, note="") for k, v in answers.items()]
        db.session.add(a)
        db.session.commit()


def test_grants_lists_programs_with_fit_eligibility_and_readiness(app, runner):
    _submitted_worst(app, "Andover")
    result = runner.invoke(args=["grants", "--town", "Andover"])
    assert result.exit_code == 0, result.output
    assert "slcgp" in result.output and "ct_nutmeg" in result.output and "ma_cc_it" not in result.output
    assert "eligible" in result.output and "readiness:" in result.output
    assert "[ ] A written cyber incident response plan" in result.output
    assert runner.invoke(args=["grants", "--town", "Atlantis"]).exit_code == 1


def test_grant_draft_writes_docx_and_pdf(app, runner, tmp_path):
    import docx
    from pypdf import PdfReader

    _submitted_worst(app, "Andover")
    out = tmp_path / "slcgp.docx"
    result = runner.invoke(args=["grant-draft", "--town", "Andover", "--program", "slcgp", "--out", str(out)])
    assert result.exit_code == 0, result.output
    headings = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "Heading 1"]
    assert "Statement of need" in headings and "Budget justification" in headings
    pdf = tmp_path / "one.pdf"
    result = runner.invoke(args=["grant-draft", "--town", "Andover", "--program", "slcgp", "--items",
                                 "hw_inventory", "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    text = " ".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Keep an inventory of every device" in text and "Install security updates automatically" not in text
    bad = runner.invoke(args=["grant-draft", "--town", "Andover", "--program", "slcgp", "--items", "nope",
                              "--out", str(tmp_path / "x.docx")])
    assert bad.exit_code == 1 and "Not a planned action" in bad.output
    other_state = runner.invoke(args=["grant-draft", "--town", "Andover", "--program", "ma_cc_it",
                                      "--out", str(tmp_path / "y.docx")])
    assert other_state.exit_code == 1 and "No program 'ma_cc_it' for CT" in other_state.output
    assert not (tmp_path / "x.docx").exists() and not (tmp_path / "y.docx").exists()


def test_every_document_command_writes_files_only_their_owner_can_read(app, runner, tmp_path):
    """Roadmaps, grant drafts, exports and funding lists map towns' weaknesses: mode 0600 whatever the umask,
    also when they replace a file that was readable by everyone."""
    import os
    import stat

    _submitted_worst(app, "Andover")
    old = tmp_path / "old.docx"
    old.write_bytes(b"an earlier draft")
    old.chmod(0o644)
    batch = tmp_path / "metrocog"
    commands = {
        tmp_path / "andover.pdf": ["roadmap", "--town", "Andover", "--out", str(tmp_path / "andover.pdf")],
        old: ["grant-draft", "--town", "Andover", "--program", "slcgp", "--out", str(old)],
        tmp_path / "crcog.xlsx": ["export", "--region", "CRCOG", "--format", "xlsx", "--out",
                                  str(tmp_path / "crcog.xlsx")],
        tmp_path / "funding.csv": ["prioritize", "--budget", "2000000", "--out", str(tmp_path / "funding.csv")],
        batch: ["roadmap", "--region", "metrocog", "--out", str(batch), "--jobs", "1"],
    }
    previous = os.umask(0o022)
    try:
        for args in commands.values():
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output)
    finally:
        os.umask(previous)
    written = [p for p in commands if p != batch] + sorted(batch.iterdir())
    assert len(written) == 4 + 6
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in written} == {p.name: 0o600 for p in written}
    assert old.read_bytes().startswith(b"PK")  # the draft replaced the old file's contents
