r"""The numbers of a diagnosis: NC1-NC4, Gram distances to reference geometries, per class and per cluster."""

from __future__ import annotations

import math
import os
from typing import Mapping

import numpy as np

from nctheory.present.diagnose.claim import compare_with_claim
from nctheory.present.diagnose.diagnosis import Diagnosis
from nctheory.present.diagnose.reading import load_user_arrays
from nctheory.present.diagnose.user_arrays import validate_arrays

#: SELI Grams (one K × K SVD) and the per-class tables are computed up to this many classes; beyond it the
#: SELI column is skipped (a dense SVD at K = 2000 takes a few seconds).
SELI_MAX_K = 2000


def _try(fn, *args, **kw):
    """``(value, None)``, or ``(None, message)`` when ``fn`` refuses the input with a field error."""
    from nctheory.errors import is_input_error

    try:
        return fn(*args, **kw), None
    except ValueError as exc:
        if not is_input_error(exc):
            raise
        return None, str(exc)


def _centring_weights(center, counts: np.ndarray, K: int) -> np.ndarray | None:
    """The weights w of :math:`h_G = \\bar H w` (None: no centring; NaN vector: a user-given point)."""
    if center is False or center is None or center == "none":
        return np.zeros(K)
    if center is True or center == "class":
        return np.full(K, 1.0 / K)
    if center == "global":
        return counts / counts.sum()
    return None


def _nearest(V: np.ndarray) -> tuple[list, list, list]:
    """Per row of V: the most similar other row (by cosine), that cosine, and the relative distance
    :math:`\\|v_k - v_j\\| / \\operatorname{mean}(\\|v_k\\|, \\|v_j\\|)`; None where a vector is zero."""
    from nctheory.geometry.cosines import cosine_matrix

    c = cosine_matrix(V, "rows")
    C = np.where(c.defined, c.values, -np.inf)
    np.fill_diagonal(C, -np.inf)
    nrm = np.linalg.norm(V, axis=1)
    idx, cos, rel = [], [], []
    for k in range(V.shape[0]):
        j = int(np.argmax(C[k]))
        if not np.isfinite(C[k, j]):
            idx.append(None), cos.append(None), rel.append(None)
            continue
        idx.append(j)
        cos.append(float(C[k, j]))
        scale = 0.5 * (nrm[k] + nrm[j])
        rel.append(float(np.linalg.norm(V[k] - V[j]) / scale))
    return idx, cos, rel


def _gram_table(W, Mc, seli, wts) -> tuple[dict, list]:
    """Distances of the normalised Grams WWᵀ, H̃ᵀH̃, WH̃ to the ETF, the orthogonal frame and SELI."""
    from nctheory.geometry.frames import etf_gram
    from nctheory.geometry.grams import gram_distance

    K = Mc.shape[1]
    notes = []
    grams = {"WW": None if W is None else W @ W.T, "HH": Mc.T @ Mc, "WH": None if W is None else W @ Mc}
    targets = {"etf": {g: etf_gram(K) for g in grams}, "orthogonal": {g: np.eye(K) for g in grams}}
    if seli is not None:
        if wts is None:
            notes.append("SELI targets of H and WH are uncentred: the means were centred at a given vector")
            C = np.eye(K)
        else:
            C = np.eye(K) - np.outer(wts, np.ones(K))
        targets["seli"] = {"WW": seli["WW"], "HH": C.T @ seli["HH"] @ C, "WH": seli["WH"] @ C}
    table = {}
    for g, X in grams.items():
        row = {}
        for t, T in targets.items():
            row[t] = None if X is None else _try(gram_distance, X, T[g], names=(g, "target"))[0]
        table[g] = row
    return table, notes


def _spread_or_none(V_rows, idx):
    from nctheory.metrics.collapse import relative_spread

    if len(idx) < 2:
        return None, None
    d, _, rel = relative_spread(V_rows, idx, "rows")
    return d, rel


def diagnose(data, labels=None, classifier=None, bias=None, *, keys=None, num_classes: int | None = None,
             clusters=None, center="global", weighting: str = "sample", angle_unit: str = "deg",
             use_bias: bool = True, claim=None, model: dict | None = None) -> Diagnosis:
    r"""Neural Collapse diagnostics of a network's own arrays, optionally beside a claim's prediction.

    Parameters
    ----------
    data : path, sequence of paths, Mapping, or array_like (N, d)
        The arrays' source (:func:`~nctheory.present.diagnose.load_user_arrays`), or the features themselves
        (one row per sample; then ``labels`` is required and ``classifier``/``bias`` are optional arguments).
    labels, classifier, bias : array_like, optional
        Only with a features array.
    keys : Mapping, optional
        Array name -> key in the source (``{"features": "feats"}``).
    num_classes : int, optional
        K, checked against labels and classifier.
    clusters : optional
        Groups of classes for the minority-collapse measures: index lists, or one cluster id per class
        (:func:`nctheory.diagnostics.parse_clusters`).  Default: classes of equal sample count.
    center : {"global", "class", "none"} or array_like (d,)
        Centring of the class means (:func:`nctheory.metrics.centered_means`): ``"global"`` subtracts the
        sample mean :math:`h_G = \frac1N\sum_i h_i` (Papyan et al.; nc-toolbox), ``"class"`` the mean of the
        class means (rhubarbwu's unweighted accumulator; the same for balanced data), ``"none"`` nothing.
    weighting : {"sample", "class"}
        NC1's covariance weighting (:func:`nctheory.metrics.nc1`).
    angle_unit : {"deg", "rad"}
    use_bias : bool
        Include the bias in the classifier's decisions for NC4 (when a bias is given).
    claim : str or Claim, optional
        A claim id (``"seli/grams"``): its prediction at the data's class sizes is shown beside the
        arrays (:func:`~nctheory.present.diagnose.compare_with_claim`).
    model : dict, optional
        :class:`~nctheory.model.Problem` fields other than ``sizes`` for the claim (``lambda_w``,
        ``lambda_h``, ``loss``, ``bias``, ...); ``d`` defaults to the features' dimension.
    Returns
    -------
    Diagnosis

    Raises
    ------
    ValueError
        Naming the field (``features``, ``labels``, ``classifier``, ``bias``, ``source``, ``clusters``,
        ``center``, ``claim``, a model field ...).
    """
    from nctheory.diagnostics.clusters import parse_clusters
    from nctheory.geometry.seli import seli_grams
    from nctheory import metrics as m
    from nctheory.metrics.validation import _check_unit

    if weighting not in m.WEIGHTINGS:
        raise ValueError(f"weighting: must be 'sample' or 'class', got {weighting!r}")
    _check_unit(angle_unit)
    if isinstance(center, str) and center not in m.CENTERS:
        raise ValueError(f"center: must be one of {', '.join(m.CENTERS)} or a length-d vector, got {center!r}")
    if isinstance(data, (str, os.PathLike, Mapping)) or (isinstance(data, (list, tuple)) and data
                                                         and isinstance(data[0], (str, os.PathLike))):
        for name, v in (("labels", labels), ("classifier", classifier), ("bias", bias)):
            if v is not None:
                raise ValueError(f"{name}: given as an argument and a source; pass arrays in one place")
        arr = load_user_arrays(data, keys=keys, num_classes=num_classes)
    else:
        if labels is None:
            raise ValueError("labels: required with a features array")
        arr = validate_arrays(data, labels, classifier, bias, num_classes=num_classes)

    K, N, d = arr.K, arr.N, arr.d
    counts = arr.counts.astype(np.float64)
    H = np.ascontiguousarray(arr.features.T)  # d x N: the library's convention
    lab = arr.labels
    W, b = arr.classifier, arr.bias
    notes: list[str] = []
    means = m.class_means(H, lab, K)
    Mc = m.centered_means(means, center, counts)
    wts = _centring_weights(center, counts, K) if isinstance(center, (str, bool)) or center is None else None
    groups = parse_clusters(clusters, K, arr.counts)
    if clusters is None and all(len(g) < 2 for g in groups):
        notes.append("every class has its own sample count, so no default cluster has two classes: "
                     "give clusters to measure minority collapse")
    if arr.dtypes.get("features", "float64") != "float64":
        notes.append(f"features stored as {arr.dtypes['features']}, computed in float64")

    # ---------------------------------------------------------------- NC1
    nc1, why = _try(m.nc1, H, lab, K, weighting=weighting)
    if why:
        notes.append(f"NC1: {why}")
    per_nc1 = _try(m.nc1_per_class, H, lab, K, weighting=weighting)[0]
    quotient = _try(m.nc1_quotient, H, lab, K, weighting=weighting)[0]
    cdnv, why = _try(m.cdnv, H, lab, K)
    if why:
        notes.append(f"CDNV: {why}")
    out_nc1 = {"nc1": nc1, "per_class": None if per_nc1 is None else per_nc1.tolist(),
               "quotient": quotient, "cdnv": cdnv, "weighting": weighting}

    # ---------------------------------------------------------------- NC2
    def nc2_family(X, axis, name):
        return {"equinorm": _try(m.equinorm, X, axis, name)[0],
                "equiangularity": _try(m.equiangularity, X, axis, name)[0],
                "etf_angle_deviation": _try(m.etf_angle_deviation, X, axis, name)[0]}

    out_nc2 = {"means": nc2_family(Mc, "cols", "H_mean"),
               "classifier": None if W is None else nc2_family(W, "rows", "classifier")}
    seli = None
    if K <= SELI_MAX_K:
        seli = seli_grams(tuple(int(c) for c in arr.counts))
    else:
        notes.append(f"SELI targets skipped: K = {K} > {SELI_MAX_K}")
    grams, gnotes = _gram_table(W, Mc, seli, wts)
    notes.extend(gnotes)
    if seli is not None and wts is not None and np.any(wts != 0):
        notes.append("the SELI targets of the means are centred like the observed means (H~ = H C, C = I - w 1^T)")
    if wts is not None and np.any(wts != 0):
        floor = math.sqrt(max(0.0, 2.0 - 2.0 * math.sqrt((K - 1) / K)))
        notes.append(f"centred means span at most K-1 dimensions: their distance to the orthogonal frame is at "
                     f"least {floor:.4g}")
    if center == "global" and len(set(arr.counts.tolist())) > 1:
        alt = _try(m.nc2_h, means, "etf", center="class")[0]
        if alt is not None:
            notes.append(f"imbalanced classes: centring by the mean of the class means instead of the sample mean "
                         f"(center='class') gives the H Gram an ETF distance of {alt:.4g}")

    # ---------------------------------------------------------------- NC3, NC4
    out_nc3 = out_nc4 = None
    angles = cosines = None
    if W is not None:
        sd = m.self_duality_angles(W, Mc, center="none", unit=angle_unit)
        angles = [float(a) if ok else None for a, ok in zip(sd.angles, sd.defined)]
        cosines = [float(c) if ok else None for c, ok in zip(sd.cosines, sd.defined)]
        defined = [a for a in angles if a is not None]
        out_nc3 = {"self_duality": _try(m.self_duality_distance, W, Mc, center="none")[0],
                   "mean_angle": float(np.mean(defined)) if defined else None,
                   "max_angle": float(np.max(defined)) if defined else None,
                   "max_angle_class": int(np.nanargmax(sd.angles)) if defined else None,
                   "undefined_angles": sorted(set(sd.zero_w) | set(sd.zero_h))}
        bb = b if (use_bias and b is not None) else None
        out_nc4 = {"agreement": m.nc4(H, lab, W, bb), "per_class": m.nc4_per_class(H, lab, W, bb).tolist(),
                   "bias_used": bb is not None}
    elif b is not None:
        notes.append("bias ignored: no classifier")

    # ---------------------------------------------------------------- per class, clusters
    cluster_of = [None] * K
    for j, g in enumerate(groups):
        for k in g:
            cluster_of[k] = j
    h_near = _nearest(Mc.T)
    w_near = _nearest(W) if W is not None else ([None] * K,) * 3
    per_class = {
        "count": arr.counts.tolist(), "cluster": cluster_of,
        "w_norm": None if W is None else np.linalg.norm(W, axis=1).tolist(),
        "h_norm": np.linalg.norm(Mc, axis=0).tolist(),
        "self_duality_angle": angles, "self_duality_cosine": cosines,
        "nc1": out_nc1["per_class"], "nc4": None if out_nc4 is None else out_nc4["per_class"],
        "w_nearest": w_near[0], "w_nearest_cos": w_near[1], "w_nearest_rel_dist": w_near[2],
        "h_nearest": h_near[0], "h_nearest_cos": h_near[1], "h_nearest_rel_dist": h_near[2],
    }
    out_clusters = []
    for g in groups:
        idx = list(g)
        hd, hrel = _spread_or_none(Mc.T, idx)
        wd, wrel = _spread_or_none(W, idx) if W is not None else (None, None)
        ang = [angles[k] for k in idx if angles is not None and angles[k] is not None]
        n_g = counts[idx]
        agree = None
        if out_nc4 is not None:
            agree = float(np.dot(n_g, np.asarray(out_nc4["per_class"])[idx]) / n_g.sum())
        out_clusters.append({
            "classes": [int(k) for k in idx], "counts": sorted({int(c) for c in n_g}, reverse=True),
            "w_spread": wd, "w_squeeze": wrel, "h_spread": hd, "h_squeeze": hrel,
            "max_angle": max(ang) if ang else None, "mean_angle": float(np.mean(ang)) if ang else None,
            "nc1": None if per_nc1 is None else float(np.dot(n_g, per_nc1[idx]) / n_g.sum()),
            "nc4": agree,
        })

    center_label = m.center_name(center)
    result = {
        "source": arr.source, "N": N, "d": d, "K": K, "counts": arr.counts.tolist(), "dtypes": arr.dtypes,
        "ignored_keys": list(arr.ignored),
        "options": {"center": center_label, "weighting": weighting, "angle_unit": angle_unit,
                    "bias_in_nc4": bool(use_bias and b is not None)},
        "nc1": out_nc1, "nc2": out_nc2, "nc3": out_nc3, "nc4": out_nc4, "grams": grams,
        "per_class": per_class, "clusters": out_clusters, "claim": None, "notes": notes,
    }
    arrays = {"W": W, "Mc": Mc, "seli": seli, "wts": wts, "groups": groups}
    if claim is not None:
        result["claim"] = compare_with_claim(arr, claim, model=model)
    elif model:
        raise ValueError(f"model: {sorted(model)[0]} is only used with a claim (give claim=...)")
    return Diagnosis(result, arrays)
