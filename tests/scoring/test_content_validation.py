"""Content validation: each broken file is reported with its file, line and field.

Every test copies the real `questionnaires/` folder into a temporary directory, changes one piece of text and
checks the ContentError the loader raises. The expected line is computed from where the changed text sits in
the file, never typed in, so the tests keep working when the content above it changes.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from scoring.content import load_content
from scoring.yamlsource import ContentError

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
V1 = Path("municipal-it") / "v1"
PROBLEM = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<field>.+?): (?P<message>.*)$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    field: str
    message: str


def parse(problem: str) -> Problem:
    m = PROBLEM.match(problem)
    assert m, f"problem not in 'path:line: field: message' form: {problem!r}"
    return Problem(m["path"], int(m["line"]), m["field"], m["message"])


@pytest.fixture()
def root(tmp_path) -> Path:
    dest = tmp_path / "questionnaires"
    shutil.copytree(ROOT, dest)
    return dest


def mutate(root: Path, rel: str | Path, old: str, new: str, mark: str | None = None) -> int:
    """Replace the single occurrence of `old` by `new`; return the line (1-based) where `mark` now sits.

    `mark` (default: `new`) is looked for from the start of the replacement, so the line is that of the changed
    text even when the same words occur earlier in the file.
    """
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    at = text.index(old)
    text = text[:at] + new + text[at + len(old):]
    path.write_text(text, encoding="utf-8")
    mark = new if mark is None else mark
    assert mark in new, "the mark must be part of the new text"
    return text[: text.index(mark, at)].count("\n") + 1


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) >= 1, needle
    return text[: text.index(needle)].count("\n") + 1


def problems(root: Path) -> list[Problem]:
    with pytest.raises(ContentError) as exc:
        load_content(root)
    assert str(exc.value) == "\n".join(exc.value.problems)
    return [parse(p) for p in exc.value.problems]


def the_problem(root: Path, file_name: str) -> Problem:
    """The only problem reported, which must be in `file_name`."""
    found = problems(root)
    assert len(found) == 1, found
    assert found[0].path.endswith(file_name), found[0]
    assert Path(found[0].path).is_relative_to(root)
    return found[0]


def read(root: Path, rel) -> str:
    return (root / rel).read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------------------
# The real content
# --------------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    return load_content(ROOT)


class TestRealContent:
    def test_loads_cleanly(self, real):
        content = real
        qs = content.latest("municipal-it")
        assert (qs.id, qs.version) == ("municipal-it", 1)
        assert list(content.sets) == [("municipal-it", 1)]
        assert len(qs.sha256) == 64

    def test_every_choice_question_has_exactly_one_dont_know_and_a_why(self, real):
        for q in real.latest("municipal-it").questions.values():
            assert q.why.strip(), q.id
            if q.type in ("single", "multi"):
                dont_knows = [o for o in q.options if o.dont_know]
                assert len(dont_knows) == 1, q.id
                assert (dont_knows[0].value, dont_knows[0].label) == ("dont_know", "I don't know"), q.id
            else:
                assert not q.options

    def test_every_scored_question_has_framework_tags(self, real):
        """Scored questions are what gaps, recommendations and grant write-ups are made of, so each one must be
        tagged with at least one CIS safeguard, NIST CSF id or SLCGP objective. (Context questions, weight 0,
        are exempt: "what is holding back a connection?" maps to no control.)"""
        untagged = [q.id for q in real.latest("municipal-it").questions.values()
                    if q.scored and not (q.tags.cis or q.tags.nist_csf or q.tags.slcgp)]
        assert untagged == []

    def test_every_recommendation_is_used_and_every_used_one_exists(self, real):
        content = real
        used = {r for q in content.latest("municipal-it").questions.values() for r in q.recommendations}
        assert used <= set(content.recommendations)
        assert set(content.recommendations) - used == set(), "recommendations no gap can trigger"

    def test_every_scored_question_triggers_a_recommendation(self, real):
        qs = real.latest("municipal-it")
        assert [q.id for q in qs.questions.values() if q.scored and not q.recommendations] == []

    def test_files_are_exactly_the_listed_sections(self, real):
        qs = real.latest("municipal-it")
        on_disk = {p.stem for p in (ROOT / V1).glob("*.yaml")} - {"questionset"}
        assert on_disk == {s.id for s in qs.sections}


# --------------------------------------------------------------------------------------------------------------
# One broken thing per test
# --------------------------------------------------------------------------------------------------------------

BACKUP = V1 / "backup.yaml"
NUTMEG = V1 / "nutmeg.yaml"
CLOUD = V1 / "cloud.yaml"
QSET = V1 / "questionset.yaml"


def test_yaml_syntax_error(root):
    line = mutate(root, BACKUP, "title: Backup and recovery\n", "title: Backup: and recovery\n")
    p = the_problem(root, "backup.yaml")
    assert p.line == line == 2
    assert p.field == "(top)"
    assert "not valid YAML" in p.message


def test_unknown_key_in_a_question(root):
    line = mutate(root, BACKUP, "  - id: backup_coverage\n", "  - id: backup_coverage\n    colour: red\n",
                  mark="    colour: red")
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "questions[1] (backup_coverage).colour"
    assert "not permitted" in p.message


def test_option_level_7(root):
    old = "      - value: scheduled_partial\n        label: Backups run on a schedule, but some systems are missed " \
          "or failures may go unnoticed\n        level: 2\n"
    line = mutate(root, BACKUP, old, old.replace("level: 2", "level: 7"), mark="level: 7")
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "questions[0] (backup_consistency).options[2] (scheduled_partial).level"
    assert "less than or equal to 4" in p.message


def _first_dont_know(text: str, question_id: str) -> str:
    """The exact text of the `dont_know: true` line pair of a question (to delete or duplicate it)."""
    start = text.index(f"  - id: {question_id}\n")
    at = text.index("        dont_know: true\n", start)
    return text[start:at + len("        dont_know: true\n")]


def test_single_question_without_dont_know(root):
    text = read(root, BACKUP)
    chunk = _first_dont_know(text, "backup_consistency")
    mutate(root, BACKUP, chunk, chunk.removesuffix("        dont_know: true\n"))
    p = the_problem(root, "backup.yaml")
    assert p.line == line_of(read(root, BACKUP), "  - id: backup_consistency")
    assert p.field == "questions[0] (backup_consistency)"
    assert "exactly one option with dont_know" in p.message


def test_two_dont_know_options(root):
    line = mutate(root, BACKUP, "      - value: monitored\n", "      - value: monitored\n        dont_know: true\n")
    assert line > line_of(read(root, BACKUP), "  - id: backup_consistency")
    p = the_problem(root, "backup.yaml")
    assert p.line == line_of(read(root, BACKUP), "  - id: backup_consistency")
    assert p.field == "questions[0] (backup_consistency)"
    assert "exactly one option with dont_know" in p.message


def test_show_if_on_a_scored_question(root):
    old = "    show_if: {question: nutmeg_connected, in: [connected]}\n    options:\n      - value: under_100_mbps"
    line = mutate(root, NUTMEG, old, old.replace("nutmeg_connected, in: [connected]",
                                                 "nutmeg_facilities, in: [town_hall]"),
                  mark="    show_if: {question: nutmeg_facilities")
    p = the_problem(root, "nutmeg.yaml")
    assert p.line == line
    assert p.field == "questions[2] (nutmeg_bandwidth).show_if[0].question"
    assert "'nutmeg_facilities' is scored" in p.message


def test_show_if_on_a_later_question(root):
    old = "    show_if: {question: nutmeg_connected, in: [connected]}\n    options:\n      - value: town_hall"
    line = mutate(root, NUTMEG, old, old.replace("nutmeg_connected, in: [connected]",
                                                 "nutmeg_cost_basis, in: [written_quote]"),
                  mark="    show_if: {question: nutmeg_cost_basis")
    p = the_problem(root, "nutmeg.yaml")
    assert p.line == line
    assert p.field == "questions[1] (nutmeg_facilities).show_if[0].question"
    assert "'nutmeg_cost_basis' is not an earlier question" in p.message


def test_show_if_value_that_is_not_an_option(root):
    old = "    show_if: {question: nutmeg_connected, in: [connected]}\n    options:\n      - value: town_hall"
    line = mutate(root, NUTMEG, old, old.replace("in: [connected]", "in: [wired]"),
                  mark="    show_if: {question: nutmeg_connected, in: [wired]}")
    p = the_problem(root, "nutmeg.yaml")
    assert p.line == line
    assert p.field == "questions[1] (nutmeg_facilities).show_if[0]"
    assert "['wired'] are not options of 'nutmeg_connected'" in p.message


def test_unknown_recommendation_id(root):
    text = read(root, BACKUP)
    start = text.index("  - id: backup_location\n")
    old = text[start:text.index("    recommendations: [backup_offsite_copy]\n", start)] + \
        "    recommendations: [backup_offsite_copy]\n"
    line = mutate(root, BACKUP, old, old.replace("[backup_offsite_copy]", "[backup_offsite_copy, backup_to_mars]"),
                  mark="    recommendations: [backup_offsite_copy, backup_to_mars]")
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "questions[4] (backup_location).recommendations[1]"
    assert "'backup_to_mars'" in p.message and "recommendations.yaml" in p.message


def test_duplicate_question_id_across_sections(root):
    # cloud_cjis is named by no tier criterion, so renaming it breaks nothing else
    assert "cloud_cjis" not in read(root, CLOUD).split("questions:")[0]
    line = mutate(root, CLOUD, "  - id: cloud_cjis\n", "  - id: backup_sla\n")
    p = the_problem(root, "cloud.yaml")
    assert p.line == line
    assert re.fullmatch(r"questions\[\d+\] \(backup_sla\)\.id", p.field)
    assert "'backup_sla' is used twice" in p.message


def test_tier_criterion_with_unknown_option_value(root):
    line = mutate(root, BACKUP, "        includes: [rule_3_2_1, encrypted, restricted_access]\n",
                  "        includes: [rule_3_2_1, encrypted, tape_rotation]\n")
    p = the_problem(root, "backup.yaml")
    assert p.line == line - 1  # the criterion starts on its `- question:` line, just above
    assert read(root, BACKUP).splitlines()[p.line - 1].strip() == "- question: backup_standards"
    assert p.field == "tiers.better.criteria[1]"
    assert "['tape_rotation'] are not options of 'backup_standards'" in p.message


def test_tier_criterion_on_unknown_question(root):
    line = mutate(root, BACKUP, "      - question: backup_sla\n", "      - question: backup_slaa\n")
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "tiers.best.criteria[2].question"


def test_section_id_not_matching_file_name(root):
    line = mutate(root, BACKUP, "id: backup\ntitle:", "id: backups\ntitle:", mark="id: backups")
    p = the_problem(root, "backup.yaml")
    assert p.line == line == 1
    assert p.field == "id"
    assert "must be 'backup'" in p.message


def test_section_listed_without_a_file(root):
    line = mutate(root, QSET, "  - data\n", "  - data\n  - printers\n", mark="  - printers")
    p = the_problem(root, "questionset.yaml")
    assert p.line == line
    assert re.fullmatch(r"sections\[\d+\]", p.field)
    assert "no file printers.yaml" in p.message


def test_version_not_matching_folder(root):
    line = mutate(root, QSET, "version: 1\n", "version: 2\n")
    p = the_problem(root, "questionset.yaml")
    assert p.line == line
    assert p.field == "version"
    assert "municipal-it/v2/" in p.message


def test_recommendations_file_missing(root):
    (root / "recommendations.yaml").unlink()
    found = problems(root)
    missing = [p for p in found if p.path.endswith("recommendations.yaml")]
    assert len(missing) == 1
    assert (missing[0].line, missing[0].field, missing[0].message) == (1, "(top)", "file is missing")
    assert found[0] == missing[0]


def test_number_question_with_weight(root):
    text = read(root, NUTMEG)
    start = text.index("  - id: nutmeg_connection_cost\n")
    old = text[start:text.index("    unit: dollars\n", start)]
    mutate(root, NUTMEG, old, old.replace("    weight: 0\n", "    weight: 1\n"))
    p = the_problem(root, "nutmeg.yaml")
    assert p.line == line_of(read(root, NUTMEG), "  - id: nutmeg_connection_cost")
    assert re.fullmatch(r"questions\[\d+\] \(nutmeg_connection_cost\)", p.field)
    assert "weight must be 0" in p.message


def test_bad_cis_tag(root):
    line = mutate(root, BACKUP, '      cis: ["11.1", "11.2"]\n', '      cis: ["CIS-1"]\n')
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "questions[0] (backup_consistency).tags.cis"
    assert "CIS-1" in p.message


def test_bad_nist_csf_id(root):
    line = mutate(root, BACKUP, "      nist_csf: [PR.DS-11, RC.RP-03]\n", "      nist_csf: [PR.DS-11, RC.RECOVER]\n")
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "questions[2] (backup_restore_testing).tags.nist_csf"
    assert "RC.RECOVER" in p.message


def test_bad_slcgp_objective(root):
    text = read(root, BACKUP)
    start = text.index("  - id: backup_restore_testing\n")
    old = text[start:text.index("      slcgp: [2, 3]\n", start) + len("      slcgp: [2, 3]\n")]
    line = mutate(root, BACKUP, old, old.replace("slcgp: [2, 3]", "slcgp: [5]"), mark="      slcgp: [5]")
    p = the_problem(root, "backup.yaml")
    assert p.line == line
    assert p.field == "questions[2] (backup_restore_testing).tags.slcgp"
    assert "1-4" in p.message


# --------------------------------------------------------------------------------------------------------------
# All problems together
# --------------------------------------------------------------------------------------------------------------

def test_problems_in_two_files_are_reported_together(root):
    backup_line = mutate(root, BACKUP, '      cis: ["11.1", "11.2"]\n', '      cis: ["CIS-1"]\n')
    old = "    show_if: {question: nutmeg_connected, in: [connected]}\n    options:\n      - value: town_hall"
    nutmeg_line = mutate(root, NUTMEG, old, old.replace("nutmeg_connected, in: [connected]",
                                                        "nutmeg_cost_basis, in: [written_quote]"),
                         mark="    show_if: {question: nutmeg_cost_basis")
    found = problems(root)
    assert len(found) == 2, found
    by_file = {Path(p.path).name: p for p in found}
    assert by_file["backup.yaml"].line == backup_line
    assert by_file["nutmeg.yaml"].line == nutmeg_line


def test_problems_in_one_file_are_reported_together(root):
    mutate(root, BACKUP, '      cis: ["11.1", "11.2"]\n', '      cis: ["CIS-1"]\n')
    mutate(root, BACKUP, "        includes: [rule_3_2_1, encrypted, restricted_access]\n",
           "        includes: [rule_3_2_1, encrypted]\n        min_count: 2\n")
    text = read(root, BACKUP)  # the second change moved the first one down a line
    criterion = line_of(text, "        includes: [rule_3_2_1, encrypted]\n") - 1
    found = problems(root)
    assert {(Path(p.path).name, p.line, p.field) for p in found} == {
        ("backup.yaml", line_of(text, '      cis: ["CIS-1"]'), "questions[0] (backup_consistency).tags.cis"),
        ("backup.yaml", criterion, "tiers.better.criteria[1]"),
    }
    assert "exactly one of" in next(p.message for p in found if p.field.startswith("tiers"))


def test_recommendations_and_question_set_problems_together(root):
    rec_line = mutate(root, "recommendations.yaml", "  - id: it_budget\n", "  - id: it_champion\n")
    version_line = mutate(root, QSET, "version: 1\n", "version: 2\n")
    found = problems(root)
    located = {(Path(p.path).name, p.line) for p in found}
    assert ("recommendations.yaml", rec_line) in located
    assert ("questionset.yaml", version_line) in located
    dup = next(p for p in found if p.path.endswith("recommendations.yaml"))
    assert dup.field == "recommendations[1].id" and "'it_champion' is defined twice" in dup.message


def _first_recommendation_block(text: str) -> str:
    """The text of the first entry of the `recommendations:` list, up to the next entry."""
    body = re.search(r"^recommendations:[ \t]*$", text, re.M).end()
    first = re.search(r"^  - id: \w+\n", text[body:], re.M).start() + body
    following = re.search(r"^  - id: \w+\n", text[first + 1:], re.M)
    assert following, "expected at least two recommendations"
    return text[first:first + 1 + following.start()]


def test_a_duplicate_recommendation_does_not_make_the_others_missing(root):
    """A second, complete copy of an entry in recommendations.yaml should be the only problem reported.

    Every id the questions name is still defined; reporting "no recommendation 'backup_automate' in
    recommendations.yaml" for them sends a content editor looking for errors that do not exist.
    """
    text = read(root, "recommendations.yaml")
    block = _first_recommendation_block(text)
    dup_line = mutate(root, "recommendations.yaml", block, block + block, mark=block) + block.count("\n")
    rec_id = re.match(r"  - id: (\w+)", block)[1]
    found = problems(root)
    false_alarms = [p for p in found if "no recommendation" in p.message]
    assert false_alarms == [], f"{len(false_alarms)} problems claim a defined recommendation is missing, " \
                               f"e.g. {false_alarms[0]}"
    assert [(Path(p.path).name, p.line, p.field) for p in found] == [
        ("recommendations.yaml", dup_line, "recommendations[1].id")]
    assert f"{rec_id!r} is defined twice" in found[0].message
