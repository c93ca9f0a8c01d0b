#!/usr/bin/env python3
r"""Check that the built documentation renders its formulas with the network off.

Usage::

    python docs/check_offline_math.py HTML_DIR [PAGE ...] [--shots DIR] [--window W,H] [--json]

``HTML_DIR`` is a finished Sphinx HTML build (this script builds nothing).  ``PAGE`` are
paths relative to it (default: every page whose HTML contains a Sphinx math element).
For each page the script runs headless Chromium once on the ``file://`` URL, with a
fresh profile and no network, and lets ``--virtual-time-budget`` milliseconds of page time
pass, so that MathJax has run; then Chromium

* dumps the DOM (``--dump-dom``), which the script analyses, and
* takes a screenshot (``--screenshot``; one PNG per page in ``--shots``, of the top
  ``--window`` pixels of the page: look at them).

Network off means: the browser runs in a new, empty network namespace (``unshare -n``,
when the system allows it; root in a container usually does), and in any case every host
name resolves to nothing (``--host-resolver-rules``), background networking, component
updates and sync are off.  A page that needs a CDN therefore shows raw LaTeX here.

From the DOM it counts, per page:

``math``
    Sphinx's math elements (``span.math`` inline, ``div.math`` displayed);
``rendered``
    those that contain a MathJax ``mjx-container``;
``raw``
    those that still show TeX delimiters (``\(``, ``\)``, ``\[``, ``\]``, ``$$``) as text
    outside any ``mjx-container``;
``errors``
    MathJax error boxes (``mjx-merror``: TeX it could not parse, or an extension that
    failed to load);
``script``
    the MathJax script the page loads, and whether it is local (inside ``HTML_DIR``).

A page with math passes when every math element is rendered, ``raw == 0``, ``errors == 0``
and the script is local; a page without math (given by name) is reported as such and
passes.  Exit status: 0 every page passed, 1 some page failed, 2 bad usage (no such
directory, no Chromium, no page with math).

Chromium is found as ``--chromium``, ``$CHROMIUM`` or ``chromium`` /
``chromium-browser`` / ``google-chrome`` on ``PATH`` (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: Flags for every Chromium run: headless, no GPU, nothing that talks to the network on its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    # every host name resolves to nothing: no CDN, whatever the namespace allows
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
)
#: Page time (ms) Chromium lets pass before it dumps the DOM or takes the screenshot.
DEFAULT_BUDGET_MS = 10_000
#: Screenshot size (width,height in CSS pixels): the top of a page, sidebar included.
DEFAULT_WINDOW = "1280,1600"
#: Wall-clock limit (s) of one Chromium run.
TIMEOUT_S = 120
#: Text that means a formula was left as TeX source.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$")
#: Elements without end tags (the parser must not push them on its stack).
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass
class PageReport:
    page: str
    math: int = 0
    rendered: int = 0
    raw: int = 0
    errors: int = 0
    script: str | None = None
    script_local: bool = False
    screenshot: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {**asdict(self), "ok": self.ok}


class _MathScanner(HTMLParser):
    """Walks a DOM dump; records each Sphinx math element's state and the MathJax script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int | None]] = []  # (tag, index of the math element it opened)
        self.math: list[dict] = []  # per math element: rendered, raw text outside mjx-container
        self.current: int | None = None  # innermost open math element
        self.in_mjx = 0  # depth of open mjx-container elements inside it
        self.errors = 0
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src") and "mathjax" in a["src"].lower():
            self.scripts.append(a["src"])
        if tag in VOID:
            return
        opened = None
        classes = (a.get("class") or "").split()
        if tag in ("span", "div") and "math" in classes and self.current is None:
            self.math.append({"rendered": False, "text": []})
            self.current = opened = len(self.math) - 1
        elif self.current is not None and tag == "mjx-container":
            self.math[self.current]["rendered"] = True
            self.in_mjx += 1
        if tag == "mjx-merror":
            self.errors += 1
        self.stack.append((tag, opened))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # pop to the matching open tag (tolerates unclosed elements)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for t, opened in self.stack[i:]:
                    if t == "mjx-container" and self.current is not None:
                        self.in_mjx -= 1
                    if opened is not None:
                        self.current, self.in_mjx = None, 0
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.current is not None and not self.in_mjx:
            self.math[self.current]["text"].append(data)


def analyse_dom(dom: str, page: str, html_dir: Path) -> PageReport:
    """Count math elements, rendered ones, raw TeX and errors in a DOM dump (module doc)."""
    scan = _MathScanner()
    scan.feed(dom)
    scan.close()
    rep = PageReport(page=page, math=len(scan.math), errors=scan.errors)
    rep.rendered = sum(m["rendered"] for m in scan.math)
    rep.raw = sum(bool(RAW_TEX.search("".join(m["text"]))) for m in scan.math)
    if scan.scripts:
        rep.script = scan.scripts[0]
        rep.script_local = _is_local(rep.script, html_dir / page)
    if rep.math == 0:
        rep.notes.append("no math element on the page: nothing to render")
        return rep
    if rep.rendered < rep.math:
        rep.problems.append(f"{rep.math - rep.rendered} of {rep.math} math elements not rendered")
    if rep.raw:
        rep.problems.append(f"{rep.raw} math elements still show TeX delimiters")
    if rep.errors:
        rep.problems.append(f"{rep.errors} MathJax error boxes (mjx-merror)")
    if rep.script is None:
        rep.problems.append("the page loads no MathJax script")
    elif not rep.script_local:
        rep.problems.append(f"MathJax is not served from the build: {rep.script}")
    return rep


def _is_local(src: str, page_path: Path) -> bool:
    if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) or src.startswith("//"):
        return src.startswith("file:")
    return (page_path.parent / src.split("?")[0]).resolve().is_file()


def find_chromium(explicit: str | None = None) -> str | None:
    """The Chromium executable (module doc), or None."""
    for name in (explicit, os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _offline_prefix() -> list[str]:
    """``unshare -n`` when this process may create a network namespace, else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        ok = subprocess.run([unshare, "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return [unshare, "-n"] if ok else []


def run_chromium(chromium: str, url: str, extra: list[str], *, budget_ms: int, prefix: list[str]) -> str:
    """Run Chromium once on ``url`` with a fresh profile; returns its stdout."""
    with tempfile.TemporaryDirectory(prefix="nct-chromium-") as profile:
        cmd = [*prefix, chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", *extra, url]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(f"chromium exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return proc.stdout


def check_page(chromium: str, html_dir: Path, page: str, shots: Path | None, *,
               budget_ms: int = DEFAULT_BUDGET_MS, prefix: list[str] | None = None,
               window: str = DEFAULT_WINDOW) -> PageReport:
    """Dump the DOM of one page and, with ``shots``, screenshot it in the same Chromium run (module doc)."""
    prefix = _offline_prefix() if prefix is None else prefix
    url = (html_dir / page).resolve().as_uri()
    extra = ["--dump-dom"]
    png = None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        png = shots / (page.replace("/", "__").removesuffix(".html") + ".png")
        png.unlink(missing_ok=True)
        extra += [f"--screenshot={png}", f"--window-size={window}", "--hide-scrollbars"]
    try:
        dom = run_chromium(chromium, url, extra, budget_ms=budget_ms, prefix=prefix)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        return PageReport(page=page, problems=[f"chromium failed: {exc}"])
    rep = analyse_dom(dom, page, html_dir)
    if png is not None:
        if png.is_file():
            rep.screenshot = str(png)
        else:
            rep.problems.append("no screenshot written")
    return rep


def pages_with_math(html_dir: Path) -> list[str]:
    """Every page of the build whose HTML has a Sphinx math element."""
    out = []
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir).as_posix()
        if rel.startswith(("_static/", "_sources/", "_modules/")):
            continue
        if re.search(r'class="math[ "]', path.read_text(encoding="utf-8", errors="replace")):
            out.append(rel)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Check that formulas of a built Sphinx site render "
                                             "offline (headless Chromium, no network).")
    ap.add_argument("html_dir", type=Path, help="a finished HTML build (e.g. docs/_build/html)")
    ap.add_argument("pages", nargs="*", help="pages relative to HTML_DIR (default: every page with math)")
    ap.add_argument("--shots", type=Path, default=None,
                    help="directory for one screenshot per page (default: a new temporary directory)")
    ap.add_argument("--chromium", default=None, help="Chromium executable")
    ap.add_argument("--window", default=DEFAULT_WINDOW,
                    help=f"screenshot size WIDTH,HEIGHT (default {DEFAULT_WINDOW}; a larger height shows more)")
    ap.add_argument("--budget-ms", type=int, default=DEFAULT_BUDGET_MS,
                    help=f"page time before reading the DOM (default {DEFAULT_BUDGET_MS})")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args(argv)

    html_dir = args.html_dir
    if not (html_dir / "index.html").is_file():
        print(f"error: {html_dir} is not an HTML build (no index.html)", file=sys.stderr)
        return 2
    chromium = find_chromium(args.chromium)
    if chromium is None:
        print("error: no Chromium found (apt-get install chromium, or --chromium PATH)", file=sys.stderr)
        return 2
    pages = args.pages or pages_with_math(html_dir)
    if not pages:
        print(f"error: no page with math in {html_dir}", file=sys.stderr)
        return 2
    for page in pages:
        if not (html_dir / page).is_file():
            print(f"error: no page {page} in {html_dir}", file=sys.stderr)
            return 2
    shots = args.shots or Path(tempfile.mkdtemp(prefix="nct-math-shots-"))
    prefix = _offline_prefix()
    reports = [check_page(chromium, html_dir, p, shots, budget_ms=args.budget_ms, prefix=prefix, window=args.window)
               for p in pages]
    network = "unshare -n (an empty network namespace)" if prefix else "host resolver blocked (no unshare)"
    if args.json:
        print(json.dumps({"html_dir": str(html_dir), "chromium": chromium, "network_off": network,
                          "ok": all(r.ok for r in reports), "pages": [r.to_json() for r in reports]}, indent=2))
    else:
        print(f"chromium: {chromium}; network off by {network}; screenshots in {shots}")
        for r in reports:
            state = "ok  " if r.ok else "FAIL"
            print(f"{state} {r.page:<40} math {r.math:4d}  rendered {r.rendered:4d}  raw {r.raw:3d}  "
                  f"errors {r.errors:2d}  script {'local' if r.script_local else r.script}")
            for line in r.problems + r.notes:
                print(f"       - {line}")
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
