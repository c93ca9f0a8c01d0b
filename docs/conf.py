"""Sphinx configuration for the nctheory documentation (builds offline).

Build: ``sphinx-build -b html docs docs/_build/html`` (add ``-W --keep-going`` to
treat warnings as errors).  The claim catalogue, the CLI reference and the API
reference are generated at build time from the code (``docs/nctheory_sphinx.py``).
"""

import os
import sys

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
html_static_path = []
html_show_sourcelink = False
