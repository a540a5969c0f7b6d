"""What of a notebook's HTML reaches the browser of whoever reads a graded notebook.

Every markdown cell and every output of a submitted notebook is the student's to write: a
``<script>``, an ``<img onerror=...>``, a ``display(HTML(...))`` or a crafted output's metadata
would run in the browser of the student, the TA or the instructor who opens the page. Pages are
built with nbconvert's ``sanitize_html`` on, so its templates pass markdown, HTML and markdown
outputs through the ``clean_html`` filter and leave scripts and widgets out; ``clean_html`` here is
nh3 (the Rust sanitizer ammonia) with an allow list of plain HTML and MathML (the course's formulas
are MathML, ``convstep.grading.feedback``), no classes, styles or event handlers, ids prefixed so
that none can pose as the page's own, and ``data:`` URLs only as image sources.
``SafeOutputMetadata`` keeps only the numbers nbconvert writes unescaped into an image tag.
"""

import numbers

import nh3
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

MATHML = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
    "mroot", "mstyle", "merror", "mpadded", "mphantom", "menclose", "munder", "mover", "munderover",
    "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "semantics", "annotation"}
MATHML_ATTRIBUTES = {"display", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder",
                     "movablelimits", "linethickness", "columnalign", "rowalign", "lspace", "rspace", "encoding",
                     "displaystyle", "scriptlevel", "notation", "width", "height", "depth", "symmetric", "largeop"}
TAGS = nh3.ALLOWED_TAGS | MATHML
ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, **{tag: MATHML_ATTRIBUTES for tag in MATHML}, "*": {"id", "title", "lang"},
              "a": nh3.ALLOWED_ATTRIBUTES["a"] | {"name"}}
ID_PREFIX = "student-"


def _data_only_in_images(element, attribute, value):
    if value.lower().lstrip().startswith("data:") and not (element == "img" and attribute == "src"):
        return None
    return value


def clean_html(html):
    """``html`` with only the allowed tags and attributes left (nbconvert's filter of that name)."""
    html = html.decode() if isinstance(html, bytes) else str(html)
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, clean_content_tags={"script", "style"},
                     url_schemes=nh3.ALLOWED_URL_SCHEMES | {"data"}, attribute_filter=_data_only_in_images,
                     id_prefix=ID_PREFIX)


class SafeOutputMetadata(Preprocessor):
    """Outputs keep, of their metadata, only a numeric width and height per type: nbconvert writes
    those into an ``<img>`` tag as they are."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output.metadata = {
                    mime: {key: value for key, value in fields.items()
                           if key in ("width", "height") and isinstance(value, numbers.Real)}
                    for mime, fields in output.metadata.items() if isinstance(fields, dict)}
        return cell, resources
