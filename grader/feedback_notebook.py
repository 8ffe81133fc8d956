"""Feedback as a notebook: ``OUT/<student>/feedback.ipynb`` and ``feedback_notebook.html``.

As nbgrader's ``generate_feedback`` does: the student's own notebook, each graded cell followed
by a Markdown cell with that function's feedback (its tests, points and what to fix: the same
Markdown as feedback.md, so hidden cases are redacted the same way and student text is literal,
``report.text``), and a first cell with the score and the notes. The cells the grader graded
are the ones the loader found (``Submission.functions[...].cell_index``). Outputs and
execution counts are dropped: they are what ran on the student's machine, not what was graded,
and an output can hold anything (HTML, scripts, megabytes of images).

The HTML is nbconvert's own rendering (its ``lab`` template) with ``sanitize_html`` on (the
student's Markdown cells may hold raw HTML; :func:`clean_html` keeps what Markdown makes and
shows the rest as text), and a Content-Security-Policy that lets the page load nothing (the
template's CDN scripts are refused: the page needs none).

nbconvert takes about 0.2 s per notebook, which would triple the time of a large batch, so these
files are written only with ``grader grade --feedback-notebooks``. A module (``.py``)
submission has no notebook: it gets neither file.
"""
from __future__ import annotations

import nbformat

from grader.report.budgets import FILE_BYTES, LINE_CHARS, Section
from grader.report.feedback import POLICIES, function_section, message_markdown, section_markdown
from grader.report.files import atomic_write, make_folder, number
from grader.report.text import md_code, md_text
from grader.submission import files, load_submission, max_bytes_of, reading

NOTEBOOK = "feedback.ipynb"
HTML = "feedback_notebook.html"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
CELL_BYTES = 4 * FILE_BYTES   # the notebook's cells beyond this (huge pasted data) are left out, with a note


def feedback_notebook(assignment, result, path) -> nbformat.NotebookNode | None:
    """The student's notebook with the feedback in it; None when the submission is no notebook."""
    submission = load_submission(path, assignment)
    try:
        ignored = {p.name for p in getattr(assignment, "extra_files", ()) or ()}
        target = reading.locate(path, ignored)
        if not target.name.lower().endswith(".ipynb"):
            return None
        data = files.read_regular(target, max_bytes_of(assignment))
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except (files.ReadFailure, ValueError, UnicodeDecodeError, AttributeError, TypeError):
        return None
    cells = [_clean(cell) for cell in notebook.cells]
    graded = {f.cell_index: name for name, f in (submission.functions or {}).items()
              if f is not None and f.cell_index and 1 <= f.cell_index <= len(cells)}
    kept, used = [], 0
    for index, cell in enumerate(cells, 1):
        size = len(str(cell.get("source", "")))
        if index not in graded and used + size > CELL_BYTES:
            cell = nbformat.v4.new_markdown_cell("*(This cell was left out of the feedback notebook: the "
                                                 "notebook is too large to show whole.)*")
        used += size
        kept.append(cell)
        if index in graded:
            kept.append(_feedback_cell(function_section(result, graded[index]), graded[index]))
    missing = [name for name in assignment.functions if name not in graded.values()]
    kept.insert(0, _summary_cell(assignment, result, missing))
    for number_, cell in enumerate(kept, 1):
        cell["id"] = f"cell-{number_}"   # fixed ids (nbformat 4.5): the same results give the same file
    notebook.cells = kept
    notebook.nbformat, notebook.nbformat_minor = 4, max(5, notebook.get("nbformat_minor", 0))
    notebook.metadata["grader"] = {"student": result.student, "assignment": assignment.name}
    return notebook


# What rendered Markdown and highlighted code are made of; anything else a student wrote as raw
# HTML (script, style, meta, iframe, form, object...) is shown as text. nbconvert's own
# clean_html allows too few tags for its own output (paragraphs and headings come out escaped).
SAFE_TAGS = ("a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
             "hr", "i", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
             "th", "thead", "tr", "ul")
SAFE_ATTRIBUTES = {"*": ["class", "id", "title"], "a": ["href"], "td": ["align"], "th": ["align"]}


def clean_html(element) -> str:
    import bleach

    text = element.decode() if isinstance(element, bytes) else str(element)
    return bleach.clean(text, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, protocols=["https", "http", "mailto"])


def notebook_html(notebook) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", sanitize_html=True)
    exporter.register_filter("clean_html", clean_html)
    body, _ = exporter.from_notebook_node(notebook)
    head = body.find("<head>")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n<meta name="referrer" content="no-referrer">'
    return body[:head + len("<head>")] + "\n" + meta + body[head + len("<head>"):] if head >= 0 else body


def write_feedback_notebook(assignment, result, path, out, *, only_missing: bool = False) -> bool:
    """Write the student's feedback.ipynb and its HTML; False when there is no notebook to write."""
    folder = out / result.student
    if only_missing and (folder / NOTEBOOK).is_file() and (folder / HTML).is_file():
        return True
    notebook = feedback_notebook(assignment, result, path)
    if notebook is None:
        return False
    make_folder(folder)
    atomic_write(folder / NOTEBOOK, nbformat.writes(notebook) + "\n")
    atomic_write(folder / HTML, notebook_html(notebook))
    return True


def _clean(cell):
    cell = nbformat.from_dict(dict(cell))
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    cell.pop("attachments", None)
    return cell


def _feedback_cell(section: Section, function: str):
    cell = nbformat.v4.new_markdown_cell("> **Feedback**\n\n" + section_markdown(section))
    cell.metadata["grader_feedback"] = function
    return cell


def _summary_cell(assignment, result, missing: list):
    lines = [f"# Feedback: {md_text(assignment.title, LINE_CHARS)}", "",
             f"**Student:** {md_text(result.student, LINE_CHARS)}  ",
             f"**Score:** {number(result.score)} / {number(result.max_score)}", "",
             "Each graded cell below is followed by its feedback. " + POLICIES.get(result.attribution, "")]
    if result.notes:
        lines += ["", "**Notes on your submission:**", ""]
        lines += [message_markdown(note, "- ") for note in result.notes[:20]]
    if missing:
        lines += ["", "Not found in your notebook (their feedback is here): " +
                  ", ".join(md_code(name, LINE_CHARS) for name in missing), ""]
        lines += [section_markdown(function_section(result, name)) for name in missing]
    cell = nbformat.v4.new_markdown_cell("\n".join(lines))
    cell.metadata["grader_feedback"] = "summary"
    return cell
