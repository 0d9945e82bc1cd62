"""Issue 17: a template that fails, in the preview and in ``check``: the same ``template:line``
errors as the build, shown in the preview's overlay while the last good site stays served.

The preview runs as ``build.py serve`` (a real process, real watcher, real sockets); the
overlay is what the server sends its pages as a ``problems`` event.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading

import pytest
from conftest import ROOT, snapshot
from test_serve import EventClient, get

NOTE_TEMPLATE = """\
{% extends "base.html" %}
{% block content %}
<article><h1>{{ page.title }}</h1>
LINE4
{{ page.html }}
</article>
{% endblock %}
"""
ALPHA = "---\ntitle: Alpha\n---\nFirst version of alpha.\n"


def _note_template(line4: str) -> str:
    return NOTE_TEMPLATE.replace("LINE4", line4)


class Served:
    """``build.py serve`` in the garden's folder, its output kept (read in a thread)."""

    def __init__(self, garden) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", "0"],
            cwd=garden.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        self.lines: list[str] = []
        for line in self.process.stdout:
            self.lines.append(line)
            if found := re.search(r"http://localhost:(\d+)/", line):
                self.port = int(found.group(1))
                break
        else:
            pytest.fail("serve did not start:\n" + "".join(self.lines))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        return "".join(self.lines)


@pytest.fixture
def templated(garden):
    garden.note("index.md", "# Home\n\nSee [[Alpha]].\n")
    garden.note("models/alpha.md", ALPHA)
    garden.note("models/beta.md", "---\ntitle: Beta\n---\nBeta links [[Alpha]].\n")
    garden.write("templates/note.html", _note_template("<p>Notes</p>"))
    return garden


BREAKS = {
    "syntax": ("{{ page.html }", "unexpected '}'"),
    "missing include": ('{% include "partials/missing.html" %}', "'partials/missing.html' not found"),
    "undefined value": ("{{ page.reading_time }}", "has no attribute 'reading_time'"),
}


@pytest.mark.parametrize("kind", list(BREAKS))
def test_a_template_broken_while_serving_is_shown_and_the_last_site_stays(templated, kind):
    garden = templated
    served = Served(garden)
    try:
        client = EventClient(served.port)
        status, body = get(served.port, "/models/alpha/")
        assert status == 200 and b"<p>Notes</p>" in body
        before = snapshot(garden.site)
        broken, message = BREAKS[kind]
        garden.write("templates/note.html", _note_template(broken))
        problems = client.wait_for("problems")
        assert "templates/note.html:4: error: " in problems and message in problems, problems
        assert "the rebuild failed" not in problems
        status, body = get(served.port, "/models/alpha/")
        assert status == 200 and b"<p>Notes</p>" in body and b"First version of alpha." in body
        assert snapshot(garden.site) == before
        garden.write("templates/note.html", _note_template("<p>Fixed</p>"))
        client.wait_for("ok")
        client.wait_for("reload")
        assert b"<p>Fixed</p>" in get(served.port, "/models/alpha/")[1]
        client.close()
    finally:
        output = served.stop()
    assert "Traceback" not in output, output


# A branch of the template that only a note's body reaches: the template is not edited, so the
# preview rebuilds the edited note in its quick path (only the body changed).
QUICK_BREAKS = {
    "missing include": (
        '{% if "Open question" in page.html|string %}{% include "partials/question.html" %}{% endif %}',
        "template 'partials/question.html' not found",
    ),
    "undefined value": (
        '{% if "Open question" in page.html|string %}{{ page.question.text }}{% endif %}',
        "has no attribute 'question'",
    ),
    "the template's own exception": (
        '{% if "Open question" in page.html|string %}{{ 1 // 0 }}{% endif %}',
        "ZeroDivisionError: integer division or modulo by zero",
    ),
}


@pytest.mark.parametrize("kind", list(QUICK_BREAKS))
def test_a_body_edit_that_breaks_a_template_is_shown_and_fixing_it_clears_it(templated, kind):
    garden = templated
    branch, message = QUICK_BREAKS[kind]
    garden.write("templates/note.html", _note_template(branch))
    served = Served(garden)
    try:
        client = EventClient(served.port)
        assert b"First version of alpha." in get(served.port, "/models/alpha/")[1]
        before = snapshot(garden.site)
        garden.note("models/alpha.md", ALPHA.replace("First version of alpha.", "Open question: why?"))
        problems = client.wait_for("problems")
        assert "templates/note.html:4: error: " in problems and message in problems, problems
        assert "the rebuild failed" not in problems
        status, body = get(served.port, "/models/alpha/")
        assert status == 200 and b"First version of alpha." in body and b"Open question" not in body
        assert snapshot(garden.site) == before
        # fixed in the template: the next rebuild clears the overlay and shows the edit
        garden.write("templates/partials/question.html", "<p>An open question.</p>\n")
        garden.write("templates/note.html", _note_template('{% include "partials/question.html" %}'))
        client.wait_for("ok")
        client.wait_for("reload")
        body = get(served.port, "/models/alpha/")[1]
        assert b"Open question: why?" in body and b"<p>An open question.</p>" in body
        # the branch put back (alpha's body still reaches it), then body edits only: the quick
        # path reports the failure and recovers by itself
        garden.write("templates/note.html", _note_template(branch))
        (garden.root / "templates/partials/question.html").unlink()
        client.wait_for("problems")
        garden.note("models/alpha.md", ALPHA.replace("First version", "Third version"))
        client.wait_for("ok")
        client.wait_for("reload")
        assert b"Third version of alpha." in get(served.port, "/models/alpha/")[1]
        garden.note("models/alpha.md", ALPHA.replace("First version of alpha.", "Open question again."))
        problems = client.wait_for("problems")
        assert "templates/note.html:4: error: " in problems and message in problems, problems
        garden.note("models/alpha.md", ALPHA.replace("First version", "Fourth version"))
        client.wait_for("ok")
        client.wait_for("reload")
        assert b"Fourth version of alpha." in get(served.port, "/models/alpha/")[1]
        client.close()
    finally:
        output = served.stop()
    assert "Traceback" not in output, output


def _errors(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if ": error: " in line)


@pytest.mark.parametrize("kind", [*BREAKS, "the template's own exception"])
def test_check_and_strict_report_a_templates_errors_as_the_build_does(templated, cli, kind):
    garden = templated
    broken = BREAKS[kind][0] if kind in BREAKS else "{{ 1 // 0 }}"
    garden.write("templates/note.html", _note_template(broken))
    checked = cli(garden, "check")
    assert checked.code == 1, checked.output
    assert not garden.site.exists()  # check writes nothing
    errors = _errors(checked.err)
    assert errors and all(line.startswith("templates/note.html:4: error: ") for line in errors), errors
    strict = cli(garden, "build", "--strict")
    built = cli(garden, "build")
    assert strict.code == built.code == 1
    assert _errors(strict.err) == _errors(built.err) == errors
    assert not garden.site.exists()
