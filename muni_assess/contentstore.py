"""The app's window on questionnaire content: parsed once per process, checked at start-up."""
from __future__ import annotations

from flask import Flask, current_app

from scoring.content import Content, ContentError, QuestionSet, cached_content


def check(app: Flask) -> None:
    """Refuse to start on malformed content, naming every file, line and field at fault."""
    try:
        content = cached_content(app.config["QUESTIONNAIRE_DIR"])
        content.latest(app.config["QUESTION_SET_ID"])
    except ContentError as exc:
        raise RuntimeError("Questionnaire content is not valid:\n" + "\n".join(exc.problems)) from None
    except KeyError as exc:
        raise RuntimeError(f"Questionnaire content is not valid: {exc}") from None


def content() -> Content:
    return cached_content(current_app.config["QUESTIONNAIRE_DIR"])


def current_set() -> QuestionSet:
    """The question set new assessments are answered against."""
    return content().latest(current_app.config["QUESTION_SET_ID"])


def set_for(set_id: str, version: int) -> QuestionSet | None:
    """The exact version an assessment was answered against (None if that version was removed)."""
    return content().get(set_id, version)
