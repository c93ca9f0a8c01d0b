"""Sphinx configuration for the nctheory documentation (builds and renders offline).

Build: ``sphinx-build -b html docs docs/_build/html`` (add ``-W --keep-going`` to
treat warnings as errors).  The claim catalogue, the CLI reference and the API
reference are generated at build time from the code (``docs/nctheory_sphinx.py``).

Math is rendered in the browser by MathJax 3, served from the built site itself
(``_static/mathjax/``), never from a CDN: the files are copied at build time from
the PyPI package ``django-static-mathjax`` (a plain copy of the MathJax 3.2.2
release with its Apache-2.0 licence; it needs no Django), which the ``docs`` and
``test`` extras install.  ``docs/check_offline_math.py`` checks the result in a
headless browser with the network off.
"""

import os
import shutil
import sys
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # the generators and the local extension
sys.path.insert(0, os.path.dirname(HERE))  # the package, when it is not installed

import nctheory  # noqa: E402

project = "nctheory"
author = "nctheory contributors"
copyright = "nctheory contributors, MIT licence"
release = nctheory.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "nctheory_sphinx",
]

exclude_patterns = ["_build"]
root_doc = "index"
language = "en"
# Claim statements and help texts are shown verbatim: no curly quotes or dashes.
smartquotes = False

# numpydoc-style docstrings only.
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
# "Attributes" sections become :ivar: fields; as attribute directives they would
# duplicate the dataclass fields that autodoc already documents.
napoleon_use_ivar = True

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "description"
autodoc_preserve_defaults = True

# numpydoc type strings are prose ("ndarray, shape (K, d)"); the Python domain still
# tries each word as a cross-reference and warns when a word such as "K" names
# several attributes.  Unresolved or ambiguous type words are not errors here.
suppress_warnings = ["ref.python"]

# Built-in theme: no network, no extra package.
html_theme = "alabaster"
html_theme_options = {
    "description": "Neural Collapse theorems vs certified global solves",
    "fixed_sidebar": True,
}
html_static_path = ["_static"]
#: Long inline literals wrap in the text column (findings cite whole test node ids).
html_css_files = ["wrap.css"]
html_show_sourcelink = False


# ------------------------------------------------------------------ offline MathJax
#: Where the MathJax files go, relative to the build's ``_static`` directory.
MATHJAX_DIR = "mathjax"
#: The MathJax 3 entry point (TeX input, CommonHTML output) and everything it loads on
#: demand, relative to the package's ``es5`` directory: TeX extensions (autoload of
#: e.g. ``\boldsymbol``), the CommonHTML web fonts, the context menu and the
#: accessibility modules with their speech-rule data.  About 7 MB of the 24 MB release.
MATHJAX_FILES = (
    "tex-chtml.js",
    "input/tex/extensions",
    "output/chtml/fonts/woff-v2",
    "ui",
    "a11y",
    "adaptors",
    "sre",
)


def mathjax_source():
    """The ``es5`` directory of the installed MathJax copy, or None when it is not installed."""
    import importlib.util

    spec = importlib.util.find_spec("mathjax")  # the import name of django-static-mathjax
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        es5 = Path(location) / "static" / "mathjax" / "es5"
        if (es5 / "tex-chtml.js").is_file():
            return es5
    return None


MATHJAX_SOURCE = mathjax_source()
if MATHJAX_SOURCE is not None:
    # A relative path is served from the build's _static directory (no network).
    mathjax_path = f"{MATHJAX_DIR}/tex-chtml.js"
    # MathJax 3 options (mathjax3_config: Sphinx's name for the v3 configuration).
    # Only Sphinx's own delimiters: a "$$" in prose or a claim statement stays text.
    mathjax3_config = {
        "tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]},
    }


def copy_mathjax(app, exc):
    """``build-finished``: copy :data:`MATHJAX_FILES` and MathJax's licence into ``_static``."""
    if exc is not None or app.builder.format != "html" or MATHJAX_SOURCE is None:
        return
    target = Path(app.outdir) / "_static" / MATHJAX_DIR
    for rel in MATHJAX_FILES:
        src, dst = MATHJAX_SOURCE / rel, target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    shutil.copy2(MATHJAX_SOURCE.parent / "LICENSE", target / "LICENSE")  # Apache-2.0 asks for it


def setup(app):
    if MATHJAX_SOURCE is None:
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "django-static-mathjax is not installed: formulas will load MathJax from a CDN and stay raw "
            "LaTeX without network; install it with  pip install -e \".[docs]\"")
    app.connect("build-finished", copy_mathjax)
