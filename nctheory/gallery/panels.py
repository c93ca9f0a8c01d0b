r"""Panel finishing shared by the gallery's figures: axis scales and labels, the ``(a) title`` label, the legend.

Every gallery panel ends the same way once its curves and points are drawn; :func:`dress` is that ending, so the
figures share one look (title size and placement, legend font) and a panel states only what is its own.
"""

from __future__ import annotations

from types import MappingProxyType

#: Legend options of a panel unless it says otherwise (font size in points).
LEGEND = MappingProxyType({"fontsize": 7})
#: Font size of a panel's ``(a) title`` label (points).
LABEL_FONTSIZE = 9


def panel_label(ax, letter: str, title: str) -> None:
    """Title a panel ``(a) title`` (left-aligned, :data:`LABEL_FONTSIZE`)."""
    ax.set_title(f"({letter}) {title}", fontsize=LABEL_FONTSIZE, loc="left")


def dress(ax, letter: str, title: str, *, xlabel: str | None = None, ylabel: str | None = None,
          xscale: str | None = None, yscale: str | None = None, legend=LEGEND) -> None:
    """Finish panel ``ax``: scales, axis labels, the ``(letter) title`` label, then the legend.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    letter, title : str
        The panel's label, drawn as ``(letter) title`` (:func:`panel_label`).
    xlabel, ylabel : str, optional
        Axis labels; None leaves the axis unlabelled.
    xscale, yscale : str, optional
        Axis scales (``"log"``); None keeps the axis as it is.  Setting a scale resets the axis's tick locators,
        so a panel with its own ticks sets its scale before placing them and passes None here.
    legend : mapping or None
        Keyword options of ``ax.legend`` (default :data:`LEGEND`); None draws no legend.
    """
    if xscale is not None:
        ax.set_xscale(xscale)
    if yscale is not None:
        ax.set_yscale(yscale)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    panel_label(ax, letter, title)
    if legend is not None:
        ax.legend(**legend)


def solved_key(ax, label: str) -> None:
    """A legend entry for the open black circles that mark solved points drawn in the series' own colours."""
    ax.plot([], [], "o", mfc="none", color="k", label=label)
