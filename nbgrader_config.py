"""nbgrader configuration: this repository is the course directory (see README)."""

import os

c = get_config()  # noqa: F821 -- injected by nbgrader/traitlets when this file is loaded

c.CourseDirectory.course_id = "convnets-step-by-step"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
# Students submit only their notebook; everything else in an assignment folder comes from source/.
# The grading record (.convstep-grading.json, beside each graded notebook) stays out of the feedback.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".convstep-*"]

# The stub students see in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: every test cell finishes in well under a second with a correct solution (even a
# 4-loop one); 20 s cuts off an infinite loop without punishing a slow but correct function.
c.Execute.timeout = 20
c.Execute.interrupt_on_timeout = True
# A test cell deleted or duplicated by a student is restored from the database and graded.
c.OverwriteCells.add_missing_cells = True
# An endless print must not produce a notebook of gigabytes.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# zip_collect: the file names of Canvas, Moodle and Blackboard downloads (see convstep.grading.collect).
c.ZipCollectApp.collector_plugin = "convstep.grading.collect.LMSFileNames"
# The time zone of the times in the LMS's file names (Blackboard) and in Moodle's grading worksheet.
c.LMSFileNames.timezone = "UTC"
# Only zip archives are unpacked: a tarball may hold links and paths that point outside the folder.
c.ExtractorPlugin.zip_ext = [".zip"]

# Due dates (README, "Grading a class"): `python3 -m convstep release` writes them into the gradebook,
# where nbgrader compares them with each submission's time (timestamp.txt, from the LMS's download).
# A time zone name ("Europe/Paris") or offset may follow the time; changing a due date regrades the
# assignment's submissions (their lateness changes).
c.Schedule.duedates = {
    "01_zero_padding": "2026-09-18 23:59:59 UTC",
    "02_conv_forward": "2026-09-25 23:59:59 UTC",
    "03_pool_forward": "2026-10-02 23:59:59 UTC",
    "04_backprop": "2026-10-09 23:59:59 UTC",
    "05_fast_layers": "2026-10-16 23:59:59 UTC",
    "06_train_a_cnn": "2026-10-23 23:59:59 UTC",
}
# Late work: nbgrader's LateSubmissionPlugin, applied when a notebook is graded. "none" (the default):
# late work keeps its score and its lateness shows in the score table and the CSVs, for you, or your
# LMS's own late policy when the grades are imported, to decide (apply a penalty in one place only);
# "zero": nbgrader scores late work 0.
c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
c.LateSubmissionPlugin.penalty_method = "none"
# The ids of the Canvas assignments, for lms/canvas.csv (convstep.lms): {"02_conv_forward": 4242, ...}.
c.CanvasGrades.assignment_ids = {}

# Safe grading (see README, "Safe grading"):
# - submissions are read through convstep's intake (only their notebooks, no link followed);
# - nbgrader's Execute is replaced by one that runs the student's cells in a sandboxed kernel and
#   the test cells in the grader, restarts dead or stuck kernels, and bounds time and output;
# - feedback shows no hidden test's code.
# Grading refuses when the sandbox is unavailable; the opt-out is --SandboxedExecute.sandbox=False.
import nbgrader.apps.autogradeapp  # noqa: E402
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import DeduplicateIds, Execute  # noqa: E402

from convstep.grading.autograde import SafeAutograde  # noqa: E402

# nbgrader has no setting for the converter class; its app looks the name up in its module.
nbgrader.apps.autogradeapp.Autograde = SafeAutograde
# Steps by their dotted names: formgrader shows the configuration as JSON, and a class is not JSON.
c.Autograde.autograde_preprocessors = [
    "convstep.grading.execute.SandboxedExecute" if step is Execute else f"{step.__module__}.{step.__name__}"
    for step in Autograde.class_traits()["autograde_preprocessors"].default()
]
# The gradebook says what each cell is, whatever the submitted metadata claims (convstep.grading.sanitize).
c.Autograde.sanitize_preprocessors = [
    "convstep.grading.sanitize.SanitizeCells" if step is DeduplicateIds else f"{step.__module__}.{step.__name__}"
    for step in Autograde.class_traits()["sanitize_preprocessors"].default()
]

# Feedback (README, "Grading a class"): a summary per function at the top, test cells named by what
# they test, no hidden test's code, math as MathML written when the page is built (no script, no
# network). The exporter is set as GenerateFeedback's only (traitlets' Parent.Child sections):
# formgrader's pages have their own template (below).
from convstep.grading import feedback  # noqa: E402

c.GenerateFeedback.preprocessors = ["nbgrader.preprocessors.GetGrades", "convstep.grading.feedback.HideHiddenTests",
                                    "convstep.grading.feedback.SummarizeTests",
                                    "convstep.grading.safehtml.SafeOutputMetadata",
                                    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
c.GenerateFeedback.exporter_class = "convstep.grading.feedback.FeedbackExporter"  # HTMLExporter, less its second parse of the page
c.GenerateFeedback.HTMLExporter.template_name = feedback.TEMPLATE
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [feedback.TEMPLATES]
c.GenerateFeedback.HTMLExporter.extra_template_paths = feedback.template_paths()
# A student's markdown and outputs are sanitized before anyone's browser sees them (convstep.grading.safehtml).
c.GenerateFeedback.HTMLExporter.sanitize_html = True
c.GenerateFeedback.HTMLExporter.filters = {"markdown2html": "convstep.grading.feedback.markdown2html",
                                           "clean_html": "convstep.grading.safehtml.clean_html"}

# Formgrader, the instructor's pages (README, "On a JupyterHub"):
# - its autograde button calls the converter by nbgrader.apps.api's own name for it: SafeAutograde
#   there too (which, on the hub, grades through the grading service: convstep.hub.delegate);
# - a submission's page shows the notebook's math as MathML written on the server, like the
#   feedback, instead of loading MathJax from a CDN (template convstep_formgrade);
# - it is sanitized like the feedback: the page opens in the instructor's own Jupyter, where a
#   student's script would act with the instructor's rights (convstep.grading.safehtml).
# Its exporter is built from this configuration without a parent, so the settings are HTMLExporter's
# own; GenerateFeedback's more specific ones above still win for the feedback (whose exporter runs
# SafeOutputMetadata twice then: a second pass changes nothing).
import nbgrader.apps.api  # noqa: E402

nbgrader.apps.api.Autograde = SafeAutograde
c.HTMLExporter.template_name = "convstep_formgrade"
c.HTMLExporter.extra_template_basedirs = [feedback.TEMPLATES, feedback.template_paths()[0]]
c.HTMLExporter.extra_template_paths = feedback.template_paths()[:1]  # where "formgrade/index.html.j2" is
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"markdown2html": "convstep.grading.feedback.markdown2html",
                          "clean_html": "convstep.grading.safehtml.clean_html"}
c.HTMLExporter.preprocessors = ["convstep.grading.safehtml.SafeOutputMetadata"]
