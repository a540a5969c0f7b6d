"""What a student's feedback page shows: nbgrader's GenerateFeedback, set up in nbgrader_config.py.

- At the top, a summary: per function of the notebook (its solution cells, in order), the points
  earned / possible from its test cells' scores, and the message of its first failing test (the
  case, expected and got, the hint), linked to that test.
- Each test cell is named by what it tests: its grade id and its description line ("hidden test:
  output shapes for strides 1-3, ..."); a hidden test shows that line, its points and its message,
  never its code (``HideHiddenTests``).
- The notebook's math is MathML, rendered when the page is built (latex2mathml): the page needs no
  script, no network and no file beside it, and reads the same on the grader's machine and offline.

The preprocessors set what the template (``templates/convstep_feedback``, a small extension of
nbgrader's feedback template) reads; ``markdown2html`` replaces the exporter's markdown filter.
"""

import html
import os
import re
import unicodedata
import xml.etree.ElementTree as ET

from jinja2 import pass_context
from latex2mathml.converter import convert
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import Bool

from convstep.grading.safehtml import clean_html
from convstep.notebooks import HIDDEN_MARKER, grade_id, is_solution, is_test
from convstep.report import owner

NOTE = "# (the code of this hidden test stays with your instructor)"
TEMPLATE = "convstep_feedback"
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
DESCRIPTION = re.compile(r"#\s*hidden tests?\s*(\([^)]*\))?\s*:\s*(?P<text>.*)", re.IGNORECASE)


def template_paths():
    """Where the template finds the rest: nbgrader's templates (its ``feedback/index.html.j2`` is the
    base) and the folder of the Bootstrap stylesheet nbgrader inlines into the page."""
    import nbgrader

    formgrader = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
    return [os.path.join(formgrader, "templates"),
            os.path.join(formgrader, "static", "node_modules", "bootstrap", "dist", "css")]


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, applied to the graded notebook of the feedback: the lines
    between the markers of each test cell become one note; the cell's description, its points
    and its output (the failure message) stay. Other cells are the student's own and untouched."""

    def preprocess_cell(self, cell, resources, cell_index):
        if is_test(cell) and self._remove_hidden_test_region(cell):
            cell.source = (cell.source.rstrip("\n") + "\n" + NOTE).lstrip("\n")
        return cell, resources


# ---------------------------------------------------------------- the summary and the test names

def describe_test(cell):
    """What a test cell tests, in words: "hidden test: <its description line>", or, for a test
    cell without one, "visible test: the printed example" (a visible test reproduces it)."""
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    hidden = bool(HIDDEN_MARKER.search(cell.source)) or NOTE in lines
    first = lines[0] if lines else ""
    described = DESCRIPTION.fullmatch(first)
    if described:
        return f"hidden test: {described['text']}" if described["text"] else "hidden test"
    if first.startswith("#") and not first.startswith("###") and first != NOTE:
        return f"{'hidden' if hidden else 'visible'} test: {first.lstrip('#').strip()}"
    return "hidden test" if hidden else "visible test: the printed example"


def failure_message(cell):
    """Why a test cell lost points, as the grader wrote it: its error's message (for the course's
    checks, "case: expected ..., got ...\\nHint: ..."), or what it wrote to stderr."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("evalue") or output.get("ename") or "the test failed"
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return "the test wrote to stderr, which counts as a failure:\n" + output.get("text", "")[:2000]
    return "the test did not pass"


class SummarizeTests(Preprocessor):
    """After nbgrader's GetGrades: names each test cell (``cell.metadata.convstep.test``) and puts
    the summary rows in ``resources["feedback_summary"]``, one per function, in notebook order:
    {"function", "score", "points", "failing": None or {"grade_id", "name", "message"}}.

    The scores are those GetGrades put in each cell's metadata (the gradebook's), never recomputed.
    Test cells that belong to no function of this notebook get a row of their own, "other tests".
    """

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        functions = [grade_id(c) for c in nb.cells if c.cell_type == "code" and is_solution(c) and grade_id(c)]
        rows = {f: {"function": f, "score": 0.0, "points": 0.0, "failing": None} for f in functions}
        for cell in nb.cells:
            if not is_test(cell):
                cell.metadata.pop("convstep", None)  # the template takes a cell with it for a test
                continue
            info = cell.metadata.nbgrader
            name = describe_test(cell)
            cell.metadata["convstep"] = {"test": name}
            function = owner(functions, info.get("grade_id") or "") or "other tests"
            row = rows.setdefault(function, {"function": function, "score": 0.0, "points": 0.0, "failing": None})
            score, points = float(info.get("score") or 0), float(info.get("points") or 0)
            row["score"] += score
            row["points"] += points
            if score < points and row["failing"] is None:
                row["failing"] = {"grade_id": info.get("grade_id"), "name": name, "message": failure_message(cell)}
        resources["feedback_summary"] = list(rows.values())
        return nb, resources


# ---------------------------------------------------------------- math, rendered at build time

MATHML_ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
    "mroot", "mstyle", "merror", "mpadded", "mphantom", "menclose", "munder", "mover", "munderover",
    "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "semantics", "annotation"}
# MathML Core (Chromium) draws only mathvariant="normal"; the other variants become the Unicode
# mathematical letters they stand for (\mathbb{1} is 𝟙, \mathcal N is 𝒩).
VARIANTS = {"double-struck": "DOUBLE-STRUCK", "script": "SCRIPT", "fraktur": "FRAKTUR", "bold": "BOLD",
            "italic": "ITALIC", "bold-italic": "BOLD ITALIC", "sans-serif": "SANS-SERIF", "monospace": "MONOSPACE"}
STYLED = re.compile(r'<(m[in])([^>]*?) mathvariant="([a-z-]+)"([^>]*)>([^<]*)</\1>')


def styled(text, variant):
    """``text`` in the Unicode mathematical alphabet of ``variant`` (characters it lacks stay)."""
    def one(char):
        name = unicodedata.name(char, "").replace("LATIN ", "").replace(" LETTER", "")
        for candidate in (f"MATHEMATICAL {VARIANTS[variant]} {name}", f"{VARIANTS[variant]} {name}"):
            try:
                return unicodedata.lookup(candidate)
            except KeyError:
                pass
        return char
    return "".join(one(c) for c in text)


def _unstyle(match):
    tag, before, variant, after, text = match.groups()
    if variant not in VARIANTS or "&" in text:
        return match.group(0)
    return f"<{tag}{before}{after}>{styled(text, variant)}</{tag}>"


def tex_to_mathml(tex, display="inline"):
    """The MathML of a TeX formula, or the formula as code if it cannot be converted to MathML made
    only of MathML elements (a formula in a student's markdown is the student's text)."""
    try:
        mathml = STYLED.sub(_unstyle, convert(tex.strip(), display=display))
        # \mathrel{+} comes out as an operator inside an operator, which browsers do not draw.
        mathml = re.sub(r"<mo><mrow><mo>([^<]*)</mo></mrow></mo>", r"<mo>\1</mo>", mathml)
        if all(_is_plain_mathml(element) for element in ET.fromstring(mathml).iter()):
            return mathml
    except Exception:  # noqa: BLE001 -- latex2mathml raises many types for TeX it does not know
        pass
    return f'<code class="tex">{html.escape(tex)}</code>'


def _is_plain_mathml(element):
    """A MathML element with no attribute that runs or loads anything (\\text{<script>} comes out as
    an element of its own)."""
    return element.tag.rpartition("}")[2] in MATHML_ELEMENTS and \
        not any(name.lower().startswith("on") or "href" in name.lower() for name in element.attrib)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with the math it finds written as MathML instead of being
    left as $...$ for MathJax."""

    def block_math(self, body):
        return tex_to_mathml(body, "block")

    def inline_math(self, body):
        return tex_to_mathml(body, "inline")

    def latex_environment(self, name, body):
        return tex_to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


@pass_context
def markdown2html(context, source):
    """The exporter's markdown filter (the same renderer, its default options), with MathML math,
    sanitized: any markdown cell may be the student's, and nbgrader's template renders markdown
    cells without nbconvert's ``clean_html`` (``convstep.grading.safehtml``).

    Images are not embedded from files (nbconvert would read any path a student's markdown names
    into the page); attachments are, as always."""
    cell = context.get("cell", {})
    renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}),
                              path=context.get("resources", {}).get("metadata", {}).get("path", ""))
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))


# ---------------------------------------------------------------- the page

NO_ALT = "No description has been provided for this image"
# An img start tag (attribute values in quotes may hold ">"), and the names of its attributes.
IMG_TAG = re.compile(r"""<img\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?""")


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTMLExporter without its second pass over the page.

    After rendering, HTMLExporter parses the whole page again with BeautifulSoup to give images
    without one an alt text, and the inputs and outputs inside a ``.jp-Notebook`` a tabindex: 0.2 s
    per page, a sixth of the processor time of grading a notebook. nbgrader's feedback template has
    no ``.jp-Notebook``, so only the alt texts are left to add, and they are added to the tags as
    they are: the page parses to the same document (a test compares them).
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        # HTMLExporter.from_notebook_node up to its BeautifulSoup pass
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return IMG_TAG.sub(_with_alt, page), resources


def _with_alt(match):
    attributes = match.group(1)
    if "alt" in (name.lower() for name in ATTRIBUTE.findall(attributes)):
        return match.group(0)
    closing = "/" if attributes.rstrip().endswith("/") else ""
    attributes = attributes.rstrip()[:-1] if closing else attributes
    return f'<img{attributes} alt="{NO_ALT}"{closing}>'
