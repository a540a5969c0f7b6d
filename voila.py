"""Voila's Python configuration, read with voila.json when Voila starts in the repository root.

voila.json names the explorers' page template, "convstep"; it ships in the package
(convstep/explorers/voila/voila/templates/convstep), and Voila looks for templates only on
Jupyter's data path, so that folder goes first on the path here.
"""

import os
from pathlib import Path

_TEMPLATES = Path(__file__).resolve().parent / "convstep" / "explorers" / "voila"
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    filter(None, [str(_TEMPLATES), os.environ.get("JUPYTER_PATH")]))
