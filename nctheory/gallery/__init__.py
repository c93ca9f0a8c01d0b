r"""The paper-reproduction gallery: each source's headline picture, redrawn in the unconstrained feature
model with **predicted** curves (the claims' formulas) and **solved** points (global solves: certified,
convex or factored), plus a JSON of the numbers behind it.

Every solved point is also compared with its prediction under the claim's own tolerance, so a gallery
run is a check as well as a picture (:mod:`nctheory.gallery.agreement`).

======================  =====================================================================
name                    figure
======================  =====================================================================
``hong-ling``           minority collapse vs λ and vs n_A with the threshold, angles vs n_A
``hong-ling-factor4``   the code's penalties without ½: threshold n_B ≤ 4N²λ'_Wλ'_H in its units
``dang2023``            σ_k vs n_k for depths M = 1, 2, 3, 6: global rule vs the authors' code
``dang2024``            ReLU features: norms, angles and margins vs class size, thresholds τ
``dang2024-margin``     the code's margin constant N(λ_W/2)√((K−1)/K) vs the derived N√(λ_Wλ_H)√((K−1)/K)
``yang``                fixed ETF vs learned classifier: minority angles and norms vs R
``fang``                layer-peeled minority collapse vs R with the onset R₀
``fang-figure3``        Figure 3 at the authors' parameters: true minority cosine vs their Gram-row cosine
``seli``                distance to SELI along the regularization path; SELI vs R
``allnc``               all-around diagnostics: means squeeze with classifiers; fixed-ETF repair
======================  =====================================================================

Command line (wired into ``nctheory`` as ``nctheory gallery``; also ``python -m nctheory.gallery``)::

    nctheory gallery NAME --out DIR [--quick] [--json]
    nctheory gallery --all --out DIR [--quick] [--json]
    nctheory gallery --list

Exit codes: 0 every point agrees, 1 a point is outside its claim's tolerance, 2 bad input,
3 no disagreement but some solve did not qualify as a reference (inconclusive).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from nctheory.gallery.output import GalleryResult

#: Gallery items in catalogue order: name -> module (each has NAME, TITLE, CLAIMS, PITFALLS, figure()).
ITEMS = {
    "hong-ling": "nctheory.gallery.hong_ling",
    "hong-ling-factor4": "nctheory.gallery.hong_ling_factor4",
    "dang2023": "nctheory.gallery.dang2023",
    "dang2024": "nctheory.gallery.dang2024",
    "dang2024-margin": "nctheory.gallery.dang2024_margin",
    "yang": "nctheory.gallery.yang",
    "fang": "nctheory.gallery.fang",
    "fang-figure3": "nctheory.gallery.fang_figure3",
    "seli": "nctheory.gallery.seli",
    "allnc": "nctheory.gallery.allnc",
}

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3


def item(name: str):
    """The module of gallery item ``name``; ValueError naming the known items otherwise."""
    if name not in ITEMS:
        raise ValueError(f"name: unknown gallery item {name!r}; known: {', '.join(ITEMS)}")
    return importlib.import_module(ITEMS[name])


def run(name: str, out_dir: str, quick: bool = False) -> GalleryResult:
    """Draw gallery item ``name`` into ``out_dir`` (``<name>.png`` and ``<name>.json``, '-' → '_')."""
    return item(name).figure(out_dir, quick=quick)


def run_all(out_dir: str, quick: bool = False) -> list[GalleryResult]:
    """Draw every gallery item into ``out_dir``."""
    return [run(name, out_dir, quick=quick) for name in ITEMS]


def exit_code(results) -> int:
    """0 if every item passed, 1 if any point disagreed, else 3 (some solve inconclusive)."""
    verdicts = [r.verdict for r in results]
    if "fail" in verdicts:
        return EXIT_FAIL
    return EXIT_INCONCLUSIVE if "inconclusive" in verdicts else EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the gallery options to ``parser`` (used by ``nctheory gallery`` and :func:`main`)."""
    parser.add_argument("name", nargs="?", help=f"gallery item: {', '.join(ITEMS)}")
    parser.add_argument("--all", action="store_true", help="every gallery item")
    parser.add_argument("--out", metavar="DIR", help="output directory for the PNG and JSON files")
    parser.add_argument("--quick", action="store_true", help="fewer points (seconds per item; used by the tests)")
    parser.add_argument("--list", action="store_true", help="list the gallery items and exit")
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of text")


def run_args(args) -> int:
    """Execute parsed gallery arguments; bad input raises ValueError starting with the field name."""
    if args.list:
        for name in ITEMS:
            print(f"{name:<10} {item(name).TITLE}")
        return EXIT_OK
    if args.all and args.name:
        raise ValueError(f"name: give a gallery item or --all, not both (got {args.name!r} and --all)")
    if not args.all and not args.name:
        raise ValueError(f"name: give a gallery item ({', '.join(ITEMS)}) or --all")
    if not args.out:
        raise ValueError("out: an output directory is required (--out DIR)")
    names = list(ITEMS) if args.all else [args.name]
    for name in names:
        item(name)  # validate every name before drawing anything
    results = [run(name, args.out, quick=args.quick) for name in names]
    if args.json:  # the versioned JSON contract (nctheory.present.serialize; schema gallery.json)
        from nctheory.present.serialize import dumps, envelope

        items = [{"name": r.name, "verdict": r.verdict, "png": r.png, "json": r.json, "points": r.n_points,
                  "time_s": r.time_s, "inconclusive": list(r.inconclusive)} for r in results]
        sys.stdout.write(dumps(envelope("gallery", {"items": items, "quick": bool(args.quick)}), indent=2) + "\n")
    else:
        for r in results:
            print(f"{r.name:<10} {r.verdict.upper():<13} {r.n_points:4d} predicted-vs-solved points  "
                  f"{r.time_s:6.1f} s  {r.png}")
            for why in r.inconclusive:
                print(f"    not a reference: {why}")
    return exit_code(results)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 (argparse API): bad input is a ValueError, exit code 2
        raise ValueError(message)


def main(argv=None) -> int:
    """``nctheory gallery`` as a function: ``main(["hong-ling", "--out", "figs", "--quick"])`` -> exit code."""
    parser = _Parser(prog="nctheory gallery", description="Reproduce the sources' headline figures in the UFM: "
                     "predicted curves vs global solves.")
    add_arguments(parser)
    try:
        return run_args(parser.parse_args(argv))
    except ValueError as exc:
        print(f"nctheory gallery: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT


__all__ = ["ITEMS", "GalleryResult", "add_arguments", "exit_code", "item", "main", "run", "run_all", "run_args"]
