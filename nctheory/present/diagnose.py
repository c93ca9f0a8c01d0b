r"""Diagnose a user's own network arrays against Neural Collapse theory (``nctheory diagnose FILE``).

Input (the deep-learning convention, **one row per sample**): ``features`` (N × d), ``labels`` (N,),
optionally ``classifier`` (K × d, row k is class k's weight vector) and ``bias`` (K,), from an ``.npz``
archive, a folder of ``<name>.npy`` files, a list of ``.npy`` files named after the arrays, or a mapping of
arrays.  Other keys in an archive (``epoch``, ``accuracy``, ...) are ignored and listed; pickled object arrays
are refused (``allow_pickle=False``); everything is computed in float64.  The library's metrics take
features as d × N (columns are samples): this module transposes once.

What is reported (notation: class means :math:`\bar h_k`, global mean :math:`h_G`, centred means
:math:`\tilde h_k = \bar h_k - h_G`, :math:`\tilde H = [\tilde h_k]`, classifier W; formulas in
:mod:`nctheory.metrics`):

* **NC1** -- Papyan et al.'s :math:`\operatorname{tr}(\Sigma_W\Sigma_B^+)/K`, its per-class shares
  :math:`\operatorname{tr}(\Sigma_k\Sigma_B^+)/K`, Tirer et al.'s
  :math:`\operatorname{tr}\Sigma_W/\operatorname{tr}\Sigma_B`
  and Galanti et al.'s class-distance normalised variance (CDNV);
* **NC2** -- equinorm (coefficient of variation of :math:`\|\tilde h_k\|` and of :math:`\|w_k\|`),
  equiangularity (std of the pairwise cosines), mean :math:`|\cos + 1/(K-1)|`, and the normalised
  Frobenius distance of the Grams :math:`\tilde H^\top\tilde H` and :math:`WW^\top` to the simplex ETF, to
  the orthogonal frame and to the SELI geometry at the data's class sizes;
* **NC3** -- self-duality :math:`\|W/\|W\|_F - \tilde H^\top/\|\tilde H\|_F\|_F`, the distance of
  :math:`W\tilde H` to the same three targets, and the angle :math:`\angle(w_k,\tilde h_k)` per class (degrees);
* **NC4** -- agreement of :math:`\arg\max_k(Wh + b)_k` with the nearest class centre, overall and per class;
* **minority collapse** -- per cluster (classes of equal sample count by default) the largest pairwise
  distance of classifiers / centred means relative to their mean norm; per class, the nearest other class
  (cosine and relative distance);
* with a claim: its prediction at the data's class sizes beside the same quantities read off the arrays
  by the claim's own observer (:func:`compare_with_claim`), with which of them are comparable.

The SELI targets are centred like the observed means (:math:`\tilde H = \bar H C`,
:math:`C = I - w\mathbf 1^\top` with w the centring weights), so like is compared with like.
"""

from __future__ import annotations

import math
import os
import zipfile
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

#: The arrays this module reads, in order; the first two are required.
ARRAY_NAMES = ("features", "labels", "classifier", "bias")
REQUIRED = ("features", "labels")

#: SELI Grams (one K × K SVD) and the per-class tables are computed up to this many classes; beyond it the
#: SELI column is skipped (a dense SVD at K = 2000 takes a few seconds).
SELI_MAX_K = 2000
#: The text report lists every class up to this K (the JSON always has all of them).
TEXT_MAX_CLASSES = 40

#: A quantity of a claim counts as unchanged under rescaling W and H when it moves by at most this (relative,
#: with the same absolute floor): observers evaluate closed forms in float64, so a scale-free quantity moves
#: by rounding only (~1e-15 relative, ~1e-12 after an SVD); a scale-dependent one moves by O(1).
SCALE_FREE_RTOL = 1e-8


# =========================================================================== loading
@dataclass(frozen=True)
class UserArrays:
    r"""Validated arrays of one network (float64 features, int64 labels).

    Attributes
    ----------
    features : ndarray, shape (N, d)
    labels : ndarray of int64, shape (N,)
        In 0..K-1; every class has a sample.
    classifier : ndarray, shape (K, d), or None
    bias : ndarray, shape (K,), or None
    K : int
    source : str
        Where the arrays came from (for the report).
    dtypes : dict
        Array name -> the dtype it was stored with (e.g. ``"float32"``).
    ignored : tuple of str
        Keys of the source that were not used.
    """

    features: np.ndarray
    labels: np.ndarray
    classifier: np.ndarray | None
    bias: np.ndarray | None
    K: int
    source: str = "arrays"
    dtypes: dict = field(default_factory=dict)
    ignored: tuple = ()

    @property
    def N(self) -> int:
        return int(self.features.shape[0])

    @property
    def d(self) -> int:
        return int(self.features.shape[1])

    @property
    def counts(self) -> np.ndarray:
        """Samples per class (int64, shape (K,))."""
        return np.bincount(self.labels, minlength=self.K)


def _check_keys(keys) -> dict:
    if keys is None:
        return {}
    if not isinstance(keys, Mapping):
        raise ValueError(f"keys: expected a mapping like {{'features': 'feats'}}, got {type(keys).__name__}")
    out = {}
    for name, key in keys.items():
        if name not in ARRAY_NAMES:
            raise ValueError(f"keys: unknown array name {name!r}; the names are {', '.join(ARRAY_NAMES)}")
        if not isinstance(key, str) or not key:
            raise ValueError(f"keys: the key for {name!r} must be a non-empty string, got {key!r}")
        out[name] = key
    if len(set(out.values())) != len(out):
        raise ValueError(f"keys: two arrays read from the same key ({out})")
    return out


def _pickle_refused(name: str, where: str) -> ValueError:
    return ValueError(f"{name}: {where} holds a pickled object array, which is refused (it could run code); "
                      "save numeric arrays, e.g. np.savez(path, features=np.asarray(f, dtype=np.float32), ...)")


def _load_npy(path: str, name: str) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise _pickle_refused(name, repr(path)) from None
        raise ValueError(f"source: cannot read {path!r} as .npy ({exc})") from None
    except (OSError, EOFError) as exc:
        raise ValueError(f"source: cannot read {path!r} as .npy ({exc})") from None
    if not isinstance(arr, np.ndarray):  # an .npz given where an .npy was expected
        arr.close()
        raise ValueError(f"source: {path!r} is an .npz archive; give it alone (not in a list of .npy files)")
    return arr


def _read_npz(path: str, keys: dict) -> tuple[dict, list]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ValueError(f"source: cannot read {path!r} ({exc.strerror or exc})") from None
    if head[:1] == b"\x80":  # the pickle protocol marker: numpy would unpickle it (run code) if allowed
        raise ValueError(f"source: {path!r} is a pickle, not an .npz archive; pickled data is refused")
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"\x93NUMPY")):
        raise ValueError(f"source: cannot read {path!r}: not an .npz archive (zip) nor an .npy file")
    try:
        data = np.load(path, allow_pickle=False)
    except ValueError as exc:
        raise ValueError(f"source: cannot read {path!r} as .npz ({exc})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"source: cannot read {path!r} as .npz ({exc})") from None
    if isinstance(data, np.ndarray):  # .npy content under another file name
        raise ValueError(f"source: {path!r} holds a single array (.npy format), not an .npz archive; name the files "
                         f"after the arrays ({', '.join(a + '.npy' for a in ARRAY_NAMES)}) and give them all")
    raw = {}
    with data:
        files = list(data.files)
        for name in ARRAY_NAMES:
            key = keys.get(name, name)
            if key in files:
                try:
                    raw[name] = data[key]
                except ValueError as exc:
                    if "pickle" in str(exc).lower():
                        raise _pickle_refused(name, f"key {key!r} of {path!r}") from None
                    raise ValueError(f"{name}: cannot read key {key!r} of {path!r} ({exc})") from None
                except (OSError, EOFError, zipfile.BadZipFile) as exc:
                    raise ValueError(f"source: {path!r} is damaged ({exc})") from None
    used = {keys.get(n, n) for n in raw}
    return raw, [f for f in files if f not in used]


def _stem(path: str) -> str:
    base = os.path.basename(os.fspath(path))
    return base[:-4] if base.lower().endswith(".npy") else base


def _read_npy_list(paths: Sequence[str], keys: dict) -> tuple[dict, list]:
    by_key = {}
    for p in paths:
        if not os.path.isfile(p):
            raise ValueError(f"source: no such file {p!r}")
        if not p.lower().endswith(".npy"):
            raise ValueError(f"source: {p!r} is not an .npy file; several files must be .npy files named after "
                             f"the arrays ({', '.join(a + '.npy' for a in ARRAY_NAMES)})")
        k = _stem(p)
        if k in by_key:
            raise ValueError(f"source: two files are named {k!r}.npy ({by_key[k]!r} and {p!r})")
        by_key[k] = p
    raw = {}
    for name in ARRAY_NAMES:
        key = keys.get(name, name)
        if key in by_key:
            raw[name] = _load_npy(by_key[key], name)
    used = {keys.get(n, n) for n in raw}
    return raw, sorted(k for k in by_key if k not in used)


def _read_source(source, keys: dict) -> tuple[dict, list, str]:
    """Raw arrays by name, the unused keys, and a description of the source."""
    if isinstance(source, Mapping):
        raw, ignored = {}, []
        for k, v in source.items():
            names = [n for n in ARRAY_NAMES if keys.get(n, n) == k]
            if names:
                arr = np.asarray(v) if not isinstance(v, np.ndarray) else v
                if arr.dtype.kind == "O":
                    raise _pickle_refused(names[0], f"key {k!r}")
                raw[names[0]] = arr
            else:
                ignored.append(str(k))
        return raw, ignored, "arrays"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(".npy"))
            if not files:
                raise ValueError(f"source: the folder {path!r} holds no .npy files "
                                 f"(expected {', '.join(a + '.npy' for a in ARRAY_NAMES)})")
            raw, ignored = _read_npy_list(files, keys)
            return raw, ignored, path
        if not os.path.exists(path):
            raise ValueError(f"source: no such file or folder {path!r}")
        if path.lower().endswith(".npy"):
            raw, ignored = _read_npy_list([path], keys)
            return raw, ignored, path
        raw, ignored = _read_npz(path, keys)
        return raw, ignored, path
    if isinstance(source, (list, tuple)) and source and all(isinstance(p, (str, os.PathLike)) for p in source):
        paths = [os.fspath(p) for p in source]
        if len(paths) == 1:
            return _read_source(paths[0], keys)
        raw, ignored = _read_npy_list(paths, keys)
        return raw, ignored, ", ".join(paths)
    raise ValueError("source: expected an .npz path, a folder of .npy files, a list of .npy paths or a mapping of "
                     f"arrays, got {type(source).__name__}")


def _real_array(name: str, a, ndim: int, what: str) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind == "O":
        raise _pickle_refused(name, "the input")
    if a.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected real numbers, got dtype {a.dtype}")
    if a.ndim != ndim:
        hint = ""
        if name == "features" and a.ndim > 2:
            hint = "; flatten or pool the features to one vector per sample first"
        raise ValueError(f"{name}: expected a {ndim}-D array {what}, got shape {a.shape}{hint}")
    if a.size == 0:
        raise ValueError(f"{name}: is empty (shape {a.shape})")
    out = a.astype(np.float64)
    finite = np.isfinite(out)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        where = f"row {int(bad[0])}" if out.ndim == 2 else f"entry {int(bad[0])}"
        raise ValueError(f"{name}: contains non-finite entries (nan or inf), first at {where} "
                         f"({int((~finite).sum())} in all)")
    return out


def _labels(a, N: int) -> np.ndarray:
    a = np.asarray(a)
    if a.dtype.kind == "O":
        raise _pickle_refused("labels", "the input")
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim != 1:
        hint = "; one-hot labels? save labels.argmax(1)" if a.ndim == 2 else ""
        raise ValueError(f"labels: expected a 1-D array of class indices (N,), got shape {a.shape}{hint}")
    if a.size == 0:
        raise ValueError("labels: is empty (shape (0,))")
    if a.dtype.kind == "b" or a.dtype.kind not in "iuf":
        raise ValueError(f"labels: expected integer class indices, got dtype {a.dtype}")
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)):
            raise ValueError("labels: contains nan or inf")
        if np.any(a != np.round(a)):
            raise ValueError("labels: expected integer class indices, got non-integer values")
    if a.size != N:
        raise ValueError(f"labels: has {a.size} entries but features has {N} rows (one per sample)")
    lab = a.astype(np.int64)
    if lab.min() < 0:
        neg = int(lab.min())
        extra = " (PyTorch's ignore_index): drop those samples before saving" if neg == -100 else ""
        raise ValueError(f"labels: must be >= 0, got {neg} for {int((lab < 0).sum())} sample(s){extra}")
    return lab


def validate_arrays(features, labels, classifier=None, bias=None, *, num_classes: int | None = None,
                    source: str = "arrays", dtypes: dict | None = None, ignored=()) -> UserArrays:
    """Check and convert one network's arrays (module doc); ValueError naming the field otherwise."""
    dtypes = dict(dtypes or {})
    for name, a in (("features", features), ("labels", labels), ("classifier", classifier), ("bias", bias)):
        if a is not None and name not in dtypes:
            dtypes[name] = str(np.asarray(a).dtype)
    lab_raw = np.asarray(labels)
    F = np.asarray(features)
    if F.ndim == 2 and lab_raw.ndim == 1 and F.shape[0] != lab_raw.size and F.shape[1] == lab_raw.size:
        raise ValueError(f"features: has {F.shape[0]} rows but labels has {lab_raw.size} entries; the array looks "
                         f"transposed (d x N = {F.shape}): save one row per sample (N x d)")
    F = _real_array("features", F, 2, "(N, d): one row per sample")
    N, d = F.shape
    lab = _labels(labels, N)
    W = None
    if classifier is not None:
        W = _real_array("classifier", classifier, 2, "(K, d): one row per class")
        if W.shape[1] != d:
            hint = " (it looks transposed: save it as K x d)" if W.shape[0] == d else ""
            raise ValueError(f"classifier: has {W.shape[1]} columns but features have d = {d}{hint}")
    if num_classes is not None:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 2:
            raise ValueError(f"num_classes: must be an integer >= 2, got {num_classes!r}")
        if W is not None and W.shape[0] != num_classes:
            raise ValueError(f"num_classes: {num_classes} but the classifier has {W.shape[0]} rows")
    K = int(W.shape[0]) if W is not None else int(num_classes) if num_classes is not None else int(lab.max()) + 1
    if lab.max() >= K:
        why = f"the classifier has {K} rows" if W is not None else f"num_classes = {K}"
        raise ValueError(f"labels: value {int(lab.max())} is out of range for K = {K} classes ({why})")
    if K < 2:
        raise ValueError(f"labels: need at least 2 classes, every label is {int(lab.max())}")
    counts = np.bincount(lab, minlength=K)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        shown = empty[:10].tolist()
        raise ValueError(f"labels: class(es) {shown}{' ...' if empty.size > 10 else ''} have no samples; every "
                         "class needs a mean (give the samples of all K classes)")
    b = None
    if bias is not None:
        b = _real_array("bias", np.ravel(np.asarray(bias)) if np.ndim(bias) == 2 and 1 in np.shape(bias) else bias,
                        1, "(K,)")
        if b.size != K:
            raise ValueError(f"bias: has {b.size} entries but there are K = {K} classes")
        if W is None:
            raise ValueError("bias: given without a classifier (the bias belongs to the classifier's logits)")
    return UserArrays(F, lab, W, b, K, source=source, dtypes=dtypes, ignored=tuple(ignored))


def load_user_arrays(source, *, keys=None, num_classes: int | None = None) -> UserArrays:
    """Read and validate a network's arrays from ``source`` (module doc).

    Parameters
    ----------
    source : str, os.PathLike, sequence of paths, or Mapping
        An ``.npz`` archive; a folder with ``features.npy``, ``labels.npy`` [, ``classifier.npy``,
        ``bias.npy``]; a list of such ``.npy`` files; or a dict of arrays.
    keys : Mapping, optional
        Array name -> key in the source, for archives saved under other names
        (``{"features": "feats", "classifier": "fc.weight"}``).
    num_classes : int, optional
        The number of classes K, checked against the labels (and the classifier's rows).  Without
        it K is the classifier's row count, or ``max(labels) + 1``.  Every class needs a sample.

    Raises
    ------
    ValueError
        Starting with the field: ``source`` (unreadable, missing), ``features``, ``labels``,
        ``classifier``, ``bias``, ``keys``.
    """
    keys = _check_keys(keys)
    raw, ignored, where = _read_source(source, keys)
    for name in REQUIRED:
        if name not in raw:
            key = keys.get(name, name)
            present = ", ".join(sorted(set(ignored) | {keys.get(n, n) for n in raw})) or "none"
            raise ValueError(f"{name}: missing from {where} (looked for {key!r}; keys present: {present}); "
                             "rename with keys={'" + name + "': '<key>'} / --key " + name + "=<key>")
    dtypes = {n: str(a.dtype) for n, a in raw.items()}
    return validate_arrays(raw["features"], raw["labels"], raw.get("classifier"), raw.get("bias"),
                           num_classes=num_classes, source=where, dtypes=dtypes, ignored=ignored)


def parse_cluster_spec(text: str) -> list[list[int]]:
    """Clusters from the command-line form: groups separated by ``;``, classes by ``,``, ranges ``a-b``.

    ``"0-4;5-9"`` -> ``[[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]``; ``"0,2;1,3"`` -> ``[[0, 2], [1, 3]]``.  The
    indices are checked against K by :func:`nctheory.diagnostics.parse_clusters`.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("clusters: expected groups like '0-4;5-9', got an empty value")
    groups = []
    for part in text.split(";"):
        idx: list[int] = []
        for item in part.split(","):
            item = item.strip()
            lo, dash, hi = item.partition("-")
            try:
                if dash:
                    a, b = int(lo), int(hi)
                    if b < a:
                        raise ValueError
                    idx.extend(range(a, b + 1))
                else:
                    idx.append(int(item))
            except ValueError:
                raise ValueError(f"clusters: cannot read {item!r} in {text!r}; use class indices and ranges, "
                                 "e.g. '0-4;5-9' or '0,2;1,3'") from None
        groups.append(idx)
    return groups


# =========================================================================== the numbers
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
    from nctheory.geometry import cosine_matrix

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
    from nctheory.geometry import etf_gram, gram_distance

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
    from nctheory.metrics import relative_spread

    if len(idx) < 2:
        return None, None
    d, _, rel = relative_spread(V_rows, idx, "rows")
    return d, rel


@dataclass(frozen=True)
class Diagnosis:
    """The diagnosis of one network's arrays (:func:`diagnose`); numbers in ``data`` (JSON-ready).

    ``data`` keys: ``source, N, d, K, counts, dtypes, ignored_keys, options, nc1, nc2, nc3, nc4, grams,
    per_class, clusters, claim, notes``.  Undefined numbers are ``None`` (with a note saying why).
    """

    data: dict
    arrays: dict = field(default_factory=dict, repr=False, compare=False)

    def to_json(self) -> dict:
        return self.data

    def __getitem__(self, key):
        return self.data[key]

    def text(self) -> str:
        """The human-readable report (what ``nctheory diagnose`` prints)."""
        return format_text(self)

    def plot(self, path: str) -> str:
        """Write the figure (PNG) to ``path`` and return the path (:func:`plot_diagnosis`)."""
        return plot_diagnosis(self, path)


def diagnose(data, labels=None, classifier=None, bias=None, *, keys=None, num_classes: int | None = None,
             clusters=None, center="global", weighting: str = "sample", angle_unit: str = "deg",
             use_bias: bool = True, claim=None, model: dict | None = None) -> Diagnosis:
    r"""Neural Collapse diagnostics of a network's own arrays, optionally beside a claim's prediction.

    Parameters
    ----------
    data : path, sequence of paths, Mapping, or array_like (N, d)
        The arrays' source (:func:`load_user_arrays`), or the features themselves (one row per sample;
        then ``labels`` is required and ``classifier``/``bias`` are optional arguments).
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
        arrays (:func:`compare_with_claim`).
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
    from nctheory.diagnostics import parse_clusters
    from nctheory.geometry import seli_grams
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


# =========================================================================== a claim beside the arrays
def _dense(v):
    if hasattr(v, "dense") and callable(v.dense):
        return np.asarray(v.dense(), dtype=np.float64)
    return v


def _user_solution(arr: UserArrays, alpha: float, beta: float):
    """The arrays as a :class:`~nctheory.solvers.result.Solution` (samples in class order, raw means, W scaled
    by ``alpha``, features by ``beta``, bias by ``alpha * beta`` so the logits' geometry is kept)."""
    from nctheory import metrics as m
    from nctheory.solvers.result import Solution, Status

    K, d = arr.K, arr.d
    order = np.argsort(arr.labels, kind="stable")
    H = np.ascontiguousarray(arr.features[order].T)
    means = m.class_means(H, arr.labels[order], K)
    W = np.full((K, d), np.nan) if arr.classifier is None else alpha * arr.classifier
    b = np.zeros(K) if arr.bias is None else alpha * beta * arr.bias
    return Solution(W=W, H_mean=beta * means, b=b, logits_mean=(W @ (beta * means)) + b[:, None],
                    objective=math.nan, lower_bound=None, gap=None, status=Status.LOCAL, iterations=0, time_s=0.0,
                    method="user arrays", message="a network's arrays (not a solve)", H=beta * H)


def _classify(pv, obs: list):
    """How predicted value ``pv`` compares with its observations at three scales (see compare_with_claim)."""
    from nctheory.geometry import gram_distance

    o = obs[0]
    if isinstance(pv, (bool, np.bool_)) or isinstance(o, (bool, np.bool_)):
        same = all(bool(x) == bool(o) for x in obs)
        return ("boolean", None, "agree" if bool(pv) == bool(o) else "differ") if same else \
            ("scale-dependent", None, None)
    try:
        P = np.asarray(_dense(pv), dtype=np.float64)
        O = [np.asarray(_dense(x), dtype=np.float64) for x in obs]
    except (TypeError, ValueError):
        return ("not a number", None, None)
    if P.shape != O[0].shape or not all(np.all(np.isfinite(x)) for x in O + [P]):
        return ("not observable", None, None)
    top = max(float(np.max(np.abs(O[0]), initial=0.0)), 1e-300)
    if all(np.allclose(x, O[0], rtol=SCALE_FREE_RTOL, atol=SCALE_FREE_RTOL * top) for x in O[1:]):
        diff = float(np.max(np.abs(O[0] - P))) if P.ndim else float(O[0] - P)
        return ("scale-free", diff, None)
    if P.ndim >= 1 and P.size > 1 and np.any(P != 0) and np.any(O[0] != 0):
        if all(gram_distance(x, O[0]) <= SCALE_FREE_RTOL for x in O[1:]):
            return ("shape", gram_distance(O[0], P), None)
    return ("scale-dependent", None, None)


#: What each comparison kind means (printed under the claim table).
KIND_NOTES = {
    "scale-free": "unchanged when W and the features are rescaled: compared directly (difference observed - predicted)",
    "shape": "compared up to scale: normalised Frobenius distance ||O/||O|| - P/||P||||",
    "boolean": "a yes/no statement, unchanged by rescaling",
    "scale-dependent": "depends on the scale of W and of the features (set by lambda and by training), "
                       "which the network need not share with the model: not compared",
    "not observable": "cannot be read off these arrays",
    "not a number": "not a number",
}


def compare_with_claim(arrays: UserArrays, claim, *, model: dict | None = None) -> dict:
    r"""A claim's prediction at the data's class sizes beside the same quantities read off the arrays.

    The problem is :class:`~nctheory.model.Problem` with ``sizes`` = the data's class counts, ``d`` = the
    features' dimension (unless ``model`` sets it) and the other fields from ``model``.  The observed
    values come from the claim's own observer applied to the arrays as they are (a solution whose samples
    are in class order; raw class means, as the model's claims read them: centring them while the
    predictions stay uncentred would compare unlike things).  Which quantities are comparable is decided by
    measurement, not by name: the observer is run again with :math:`W \to 2W` and with :math:`H \to 3H`
    (bias :math:`b \to \alpha\beta b`, which keeps the logits' geometry):

    * unchanged (relative ``SCALE_FREE_RTOL``): **scale-free** (cosines, ratios, zeros) -- difference shown;
    * unchanged up to a positive factor: **shape** (Grams) -- normalised distance shown;
    * otherwise **scale-dependent** (norms, objective-like values): both shown, not compared, because a
      trained network's scale of W and H is not the model's.

    This is a side-by-side reading, not a verdict: the arrays are not a certified optimum of the model.

    Returns
    -------
    dict
        ``claim, statement, applies, unmet, problem, notes, quantities`` (each ``quantity,
        predicted, observed, kind, difference, agreement``), ``kinds`` (what each kind means).
    """
    from nctheory.claims import get_claim
    from nctheory.model import Problem

    c = get_claim(claim) if isinstance(claim, str) else claim
    fields = dict(model or {})
    if "sizes" in fields:
        raise ValueError("model: sizes come from the data's labels; do not give them")
    fields.setdefault("d", arrays.d)
    problem = Problem(sizes=tuple(int(x) for x in arrays.counts), **fields)
    unmet = c.assumptions(problem)
    out = {"claim": c.id, "statement": " ".join(c.statement.split()), "applies": not unmet, "unmet": unmet,
           "problem": problem.to_dict(), "notes": "", "quantities": [],
           "kinds": KIND_NOTES}
    if unmet:
        return out
    pred = c.predict(problem)
    out["notes"] = pred.notes
    observed, failure = [], None
    for alpha, beta in ((1.0, 1.0), (2.0, 1.0), (1.0, 3.0)):
        sol = _user_solution(arrays, alpha, beta)
        try:
            observed.append(c.observed(problem, sol))
        except Exception as exc:  # noqa: BLE001 (a claim's observer on arbitrary arrays: report, do not crash)
            failure = f"{type(exc).__name__}: {exc}"
            break
    for name, pv in pred.quantities.items():
        row = {"quantity": name, "predicted": _dense(pv), "observed": None, "kind": "not observable",
               "difference": None, "agreement": None}
        if failure is not None:
            row["note"] = f"the claim's observer failed on these arrays ({failure})"
        elif name not in observed[0]:
            row["note"] = "the claim's observer does not read it off these arrays"
        else:
            obs = [o[name] for o in observed]
            row["observed"] = _dense(obs[0])
            kind, diff, agree = _classify(pv, obs)
            if kind == "not observable" and arrays.classifier is None:
                row["note"] = "needs the classifier"
            row.update(kind=kind, difference=diff, agreement=agree)
        out["quantities"].append(row)
    return out


# =========================================================================== text
def _f(x, spec: str = ".4g") -> str:
    if x is None:
        return "undef"
    if isinstance(x, (bool, np.bool_)):
        return "yes" if x else "no"
    return format(float(x), spec)


def _counts_text(counts) -> str:
    """Counts in the CLI's size notation, runs collapsed (``500x5,50x5``)."""
    parts, i, c = [], 0, list(counts)
    while i < len(c):
        j = i
        while j + 1 < len(c) and c[j + 1] == c[i]:
            j += 1
        parts.append(f"{c[i]}x{j - i + 1}" if j > i else f"{c[i]}")
        i = j + 1
    return ",".join(parts)


def _classes_text(idx) -> str:
    idx = list(idx)
    if idx == list(range(idx[0], idx[-1] + 1)) and len(idx) > 2:
        return f"{idx[0]}-{idx[-1]}"
    s = ",".join(map(str, idx))
    return s if len(s) <= 20 else s[:17] + "..."


def _value_text(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    a = np.asarray(v)
    if a.ndim == 0:
        try:
            return f"{float(a):.6g}"
        except (TypeError, ValueError):
            return str(v)
    return f"{'x'.join(map(str, a.shape))} array"


def format_text(diag: Diagnosis) -> str:
    """The text report of a :class:`Diagnosis`."""
    D = diag.data
    o = D["options"]
    unit = "deg" if o["angle_unit"] == "deg" else "rad"
    K = D["K"]
    lines = []
    dt = ", ".join(f"{k} {v}" for k, v in D["dtypes"].items())
    lines.append(f"nctheory diagnose: {D['source']}")
    lines.append(f"  N = {D['N']} samples, d = {D['d']}, K = {K} classes; stored as {dt}")
    if D["ignored_keys"]:
        lines.append(f"  ignored keys: {', '.join(D['ignored_keys'])}")
    lines.append(f"  class counts: {_counts_text(D['counts'])}")
    centre = {"global": "the global (sample) mean h_G", "class": "the mean of the class means", "none": "nothing",
              "vector": "a given vector"}[o["center"]]
    lines.append(f"  class means centred by {centre}; angles in {'degrees' if unit == 'deg' else 'radians'}")

    n1 = D["nc1"]
    lines.append("")
    lines.append("NC1  within-class variability collapse")
    lines.append(f"  tr(Sw Sb^+)/K  (Papyan et al.)        {_f(n1['nc1'])}")
    lines.append(f"  tr(Sw)/tr(Sb)  (Tirer et al.)         {_f(n1['quotient'])}")
    lines.append(f"  CDNV           (Galanti et al.)       {_f(n1['cdnv'])}")

    n2 = D["nc2"]
    g = D["grams"]
    has_w = n2["classifier"] is not None
    lines.append("")
    lines.append("NC2  convergence to a simplex ETF            class means    classifier")
    for key, label in (("equinorm", "equinorm  std/mean of norms"),
                       ("equiangularity", "equiangularity  std of cosines"),
                       ("etf_angle_deviation", "mean |cos + 1/(K-1)|")):
        w = _f(n2["classifier"][key]) if has_w else "-"
        lines.append(f"  {label:<42} {_f(n2['means'][key]):>10}    {w:>10}")
    for t, label in (("etf", "simplex ETF"), ("orthogonal", "orthogonal frame"), ("seli", "SELI at these counts")):
        if t not in g["HH"]:
            continue
        w = _f(g["WW"][t]) if has_w else "-"
        lines.append(f"  {'Gram distance to ' + label:<42} {_f(g['HH'][t]):>10}    {w:>10}")

    if D["nc3"] is not None:
        n3 = D["nc3"]
        lines.append("")
        lines.append("NC3  self-duality")
        lines.append(f"  ||W/||W|| - H~^T/||H~|||| (Papyan)     {_f(n3['self_duality'])}")
        for t, label in (("etf", "simplex ETF"), ("orthogonal", "orthogonal frame"), ("seli", "SELI")):
            if t in g["WH"]:
                lines.append(f"  W H~ distance to {label:<21} {_f(g['WH'][t])}")
        mx = n3["max_angle"]
        where = f" (class {n3['max_angle_class']})" if mx is not None else ""
        lines.append(f"  angle(w_k, h~_k): mean {_f(n3['mean_angle'])} {unit}, max {_f(mx)} {unit}{where}")
        if n3["undefined_angles"]:
            lines.append(f"  angles undefined (zero vector) for classes {n3['undefined_angles']}")
        n4 = D["nc4"]
        lines.append("")
        lines.append("NC4  classifier vs nearest class centre")
        lines.append(f"  agreement {_f(n4['agreement'], '.4f')} ({'with' if n4['bias_used'] else 'without'} bias)")
    else:
        lines.append("")
        lines.append("NC3, NC4: no classifier given")

    pc = D["per_class"]
    lines.append("")
    lines.append(f"minority collapse per cluster (squeeze = max pairwise distance / mean norm; ETF "
                 f"{math.sqrt(2 * K / (K - 1)):.4g})")
    lines.append(f"  {'classes':<20} {'n':>8} {'w squeeze':>10} {'h~ squeeze':>10} {'max angle':>10} {'NC1':>9} "
                 f"{'NC4':>7}")
    for c in D["clusters"]:
        n = "/".join(map(str, c["counts"])) if len(c["counts"]) <= 2 else f"{c['counts'][-1]}..{c['counts'][0]}"
        wq, ma, n4 = ((_f(c["w_squeeze"]), _f(c["max_angle"]), _f(c["nc4"], ".3f")) if has_w else ("-", "-", "-"))
        lines.append(f"  {_classes_text(c['classes']):<20} {n:>8} {wq:>10} {_f(c['h_squeeze']):>10} "
                     f"{ma:>10} {_f(c['nc1'], '.3g'):>9} {n4:>7}")
    if K <= TEXT_MAX_CLASSES:
        lines.append("")
        lines.append("per class (nearest = most similar other class, by cosine)")
        lines.append(f"  {'k':>3} {'n':>7} {'|w|':>9} {'|h~|':>9} {'angle':>8} {'NC1_k':>9} {'NC4_k':>6}  "
                     f"{'nearest w (cos)':>16}  {'nearest h~ (cos)':>16}")
        for k in range(K):
            def near(which):
                j, cval = pc[f"{which}_nearest"][k], pc[f"{which}_nearest_cos"][k]
                return "-" if j is None else f"{j} ({cval:+.3f})"
            wn = "-" if pc["w_norm"] is None else _f(pc["w_norm"][k])
            ang = "-" if pc["self_duality_angle"] is None else _f(pc["self_duality_angle"][k], ".3g")
            nc1k = "-" if pc["nc1"] is None else _f(pc["nc1"][k], ".3g")
            nc4k = "-" if pc["nc4"] is None else _f(pc["nc4"][k], ".3f")
            lines.append(f"  {k:>3} {pc['count'][k]:>7} {wn:>9} {_f(pc['h_norm'][k]):>9} {ang:>8} {nc1k:>9} "
                         f"{nc4k:>6}  {near('w') if pc['w_norm'] is not None else '-':>16}  {near('h'):>16}")
    else:
        lines.append(f"  (K = {K} > {TEXT_MAX_CLASSES}: per-class numbers in --json)")

    cl = D["claim"]
    if cl is not None:
        lines.append("")
        p = cl["problem"]
        defaults = {"bias": "none", "lambda_b": 0.0, "features": "free", "classifier": "learned", "depth": 1,
                    "constraint": "penalty", "e_w": None, "e_h": None}
        shown = [f"{k}={p[k]}" for k in ("lambda_w", "lambda_h", "loss")]
        shown += [f"{k}={v}" for k, v in p.items() if k in defaults and v != defaults[k]]
        lines.append(f"claim {cl['claim']} at the data's class counts ({', '.join(shown)}, d={p['d']})")
        if not cl["applies"]:
            lines.append("  does not apply: " + "; ".join(cl["unmet"]))
        else:
            lines.append("  the claim's own observer reads the arrays as they are (raw class means: the model has no "
                         "common feature offset; the centred geometry is above)")
            lines.append(f"  {'quantity':<26} {'predicted':>14} {'observed':>14}   comparison")
            kinds = set()
            for r in cl["quantities"]:
                kinds.add(r["kind"])
                if r["kind"] == "scale-free":
                    how = f"difference {r['difference']:+.4g}" if np.ndim(r["predicted"]) == 0 else \
                        f"max |difference| {r['difference']:.4g}"
                elif r["kind"] == "shape":
                    how = f"normalised distance {r['difference']:.4g}"
                elif r["kind"] == "boolean":
                    how = r["agreement"]
                else:
                    how = r["kind"] + (f" ({r['note']})" if r.get("note") else "")
                lines.append(f"  {r['quantity']:<26} {_value_text(r['predicted']):>14} "
                             f"{_value_text(r['observed']):>14}   {how}")
            for k in ("scale-free", "shape", "boolean", "scale-dependent"):
                if k in kinds:
                    lines.append(f"  {k}: {KIND_NOTES[k]}")
            lines.append("  (a side-by-side reading: the arrays are not a certified optimum of the model)")
            if cl["notes"]:
                lines.append(f"  prediction: {cl['notes']}")
    if D["notes"]:
        lines.append("")
        for n in D["notes"]:
            lines.append(f"note: {n}")
    return "\n".join(lines)


# =========================================================================== figure
def _cluster_colors(groups, K):
    palette = ["tab:blue", "tab:red", "tab:green", "tab:purple", "tab:orange", "tab:brown", "tab:pink",
               "tab:olive", "tab:cyan", "tab:gray"]
    col = ["k"] * K
    for j, g in enumerate(groups):
        for k in g:
            col[k] = palette[j % len(palette)]
    return col


def _cos_heatmap(ax, fig, V, title, K, order, boundaries):
    """Cosines between the rows of V, classes in ``order`` (clusters together), lines between clusters."""
    from nctheory.geometry import cosine_matrix

    c = cosine_matrix(V[order], "rows")
    im = ax.imshow(np.ma.masked_invalid(c.values), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    for x in boundaries:
        ax.axhline(x - 0.5, color="k", lw=0.8)
        ax.axvline(x - 0.5, color="k", lw=0.8)
    ax.set_title(title, fontsize=10)
    if K <= 30:
        ax.set_xticks(np.arange(K), [str(k) for k in order], fontsize=7 if K > 12 else 9)
        ax.set_yticks(np.arange(K), [str(k) for k in order], fontsize=7 if K > 12 else 9)
    ordered = list(order) != list(range(K))
    ax.set_xlabel("class (grouped by cluster)" if ordered else "class")
    ax.set_ylabel("class")
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cb.ax.axhline(-1.0 / (K - 1), color="k", lw=1.5)
    cb.ax.set_ylabel(f"cosine (line: ETF −1/(K−1) = {-1.0 / (K - 1):.3g})", fontsize=8)


def plot_diagnosis(diag: Diagnosis, path: str) -> str:
    """A 2 × 4 figure of a :class:`Diagnosis`, written as PNG to ``path``.

    Top: (a) cosines between classifier rows and (b) between centred class means (the ETF's cosine marked
    on the colour bar, lines between clusters); (c) Gram distances to the ETF, the orthogonal frame, SELI
    (and the claim's Grams when one was compared); (d) minority collapse: squeeze per cluster beside the
    ETF's value.  Bottom, per class (colour = cluster): (e) norms relative to their mean, with SELI's
    prediction; (f) self-duality angle; (g) NC1 of the class; (h) NC4 agreement.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    D, A = diag.data, diag.arrays
    K = D["K"]
    groups = A["groups"]
    # heatmaps list the classes cluster by cluster (then any class in no cluster), with lines between clusters
    order = [k for g in groups for k in g]
    order += [k for k in range(K) if k not in set(order)]
    boundaries = list(np.cumsum([len(g) for g in groups])[:-1]) if len(groups) > 1 else []
    colors = _cluster_colors(groups, K)
    x = np.arange(K)
    has_w = A["W"] is not None
    small = min(1.0, 20.0 / K)  # marker scale: many classes get smaller markers
    fig, axes = plt.subplots(2, 4, figsize=(21, 9.6))
    fig.suptitle(f"nctheory diagnose: {D['source']}   (N = {D['N']}, d = {D['d']}, K = {K}; class counts "
                 f"{_counts_text(D['counts'])}; means centred by "
                 f"{_CENTRE_TEXT[D['options']['center']]})", fontsize=11)

    def no_classifier(ax):
        ax.text(0.5, 0.5, "no classifier given", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()

    ax = axes[0, 0]
    if has_w:
        _cos_heatmap(ax, fig, A["W"], "(a) cos(w_j, w_k): classifier rows", K, order, boundaries)
    else:
        no_classifier(ax)
    _cos_heatmap(axes[0, 1], fig, A["Mc"].T, "(b) cos(h̃_j, h̃_k): centred class means", K, order, boundaries)

    ax = axes[0, 2]
    g = D["grams"]
    targets = [t for t in ("etf", "orthogonal", "seli") if t in g["HH"]]
    labels = {"etf": "simplex ETF", "orthogonal": "orthogonal frame", "seli": "SELI at these counts"}
    claim_d = _claim_gram_distances(D.get("claim"))
    names = ["WW", "HH", "WH"] if has_w else ["HH"]
    series = [(labels[t], [np.nan if g[n][t] is None else g[n][t] for n in names], None) for t in targets]
    if claim_d:
        series.append((f"claim {D['claim']['claim']} (on raw means)", [claim_d.get(n, np.nan) for n in names], "k"))
    width = 0.8 / len(series)
    for j, (label, vals, color) in enumerate(series):
        bars = ax.bar(np.arange(len(names)) + (j - (len(series) - 1) / 2) * width, vals, width * 0.95, label=label,
                      color=color)
        ax.bar_label(bars, fmt="%.3f", fontsize=6 if len(series) > 3 else 7)
    tick = {"WW": "W Wᵀ", "HH": "H̃ᵀ H̃", "WH": "W H̃"}
    ax.set_xticks(np.arange(len(names)), [tick[n] for n in names])
    if not has_w:
        ax.set_xlim(-1, 1)
    ax.set_ylabel("‖X/‖X‖_F − T/‖T‖_F‖_F")
    ax.set_ylim(0, max(1.0, 1.15 * np.nanmax([v for _, vals, _ in series for v in vals] + [0.0])))
    ax.set_title("(c) Gram distance to reference geometries (0 = same shape)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[0, 3]
    clusters = D["clusters"]
    pairs = [c for c in clusters if len(c["classes"]) >= 2]
    if pairs:
        xc = np.arange(len(pairs))
        names_c = [f"{_classes_text(c['classes'])}\nn = {'/'.join(map(str, c['counts'][:2]))}" for c in pairs]
        hv = [np.nan if c["h_squeeze"] is None else c["h_squeeze"] for c in pairs]
        wv = [np.nan if c["w_squeeze"] is None else c["w_squeeze"] for c in pairs]
        if has_w:
            ax.bar_label(ax.bar(xc - 0.2, wv, 0.38, label="classifier rows w_k", color="0.35"), fmt="%.3g", fontsize=7)
        ax.bar_label(ax.bar(xc + 0.2 if has_w else xc, hv, 0.38, label="centred means h̃_k", color="0.7"), fmt="%.3g",
                     fontsize=7)
        ax.axhline(math.sqrt(2 * K / (K - 1)), color="tab:blue", ls="--", lw=1,
                   label=f"simplex ETF √(2K/(K−1)) = {math.sqrt(2 * K / (K - 1)):.3g}")
        ax.set_xticks(xc, names_c, fontsize=8)
        ax.set_ylabel("max ‖v_j − v_k‖ / mean ‖v_k‖ in the cluster")
        top = np.nanmax(wv + hv + [math.sqrt(2 * K / (K - 1))])
        ax.set_ylim(0, 1.45 * top)
        ax.legend(fontsize=8, loc="upper right")
        ax.set_title("(d) minority collapse per cluster (0 = collapsed)", fontsize=10)
    else:
        ax.text(0.5, 0.5, "no cluster with two classes\n(give clusters)", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()

    ax = axes[1, 0]
    hn = np.asarray(D["per_class"]["h_norm"])
    ax.scatter(x, hn / hn.mean(), c=colors, marker="s", s=6 + 24 * small, label="‖h̃_k‖ / mean", zorder=3)
    if has_w:
        wn = np.asarray(D["per_class"]["w_norm"])
        ax.scatter(x, wn / wn.mean(), edgecolors=colors, facecolors="none", marker="o", s=8 + 36 * small,
                   label="‖w_k‖ / mean", zorder=3)
    if A["seli"] is not None:
        S = A["seli"]
        C = np.eye(K) if A["wts"] is None else np.eye(K) - np.outer(A["wts"], np.ones(K))
        ph = np.sqrt(np.clip(np.diag(C.T @ S["HH"] @ C), 0, None))
        ax.plot(x, ph / ph.mean(), ls="none", marker="_", ms=3 + 13 * small, mew=1.5, color="k",
                label="SELI: h̃ (predicted)")
        if has_w:
            pw = np.sqrt(np.clip(np.diag(S["WW"]), 0, None))
            ax.plot(x, pw / pw.mean(), ls="none", marker="_", ms=3 + 13 * small, mew=1.5, color="tab:gray",
                    label="SELI: w (predicted)")
    ax.axhline(1.0, color="0.8", lw=0.8, zorder=0)
    _class_axis(ax, K, D["counts"])
    ax.set_ylabel("norm / mean norm")
    ax.set_title("(e) equinorm per class", fontsize=10)
    ax.legend(fontsize=7, loc="best")

    ax = axes[1, 1]
    ang = D["per_class"]["self_duality_angle"]
    if ang is not None:
        ax.bar(x, [np.nan if a is None else a for a in ang], color=colors)
        unit = "degrees" if D["options"]["angle_unit"] == "deg" else "radians"
        ax.set_ylabel(f"∠(w_k, h̃_k) in {unit}")
        _class_axis(ax, K, D["counts"])
        ax.set_title("(f) self-duality per class (0 = w_k ∥ h̃_k)", fontsize=10)
    else:
        no_classifier(ax)

    ax = axes[1, 2]
    nc1k = D["per_class"]["nc1"]
    if nc1k is not None:
        v = np.asarray(nc1k, dtype=float)
        pos = np.where(v > 0, v, np.nan)
        log = bool(np.any(v > 0)) and np.nanmax(pos) / np.nanmin(pos) > 30
        ax.scatter(x, pos if log else v, c=colors, s=6 + 30 * small, zorder=3)
        ax.vlines(x, np.nanmin(pos) / 3 if log else 0.0, pos if log else v, colors=colors, lw=1)
        if log:
            ax.set_yscale("log")
        if D["nc1"]["nc1"] is not None:
            ax.axhline(D["nc1"]["nc1"], color="k", ls="--", lw=1, label=f"NC1 = {D['nc1']['nc1']:.3g}")
            ax.legend(fontsize=8)
        ax.set_ylabel("NC1 of class k: tr(Σ_k Σ_B⁺)/K")
    _class_axis(ax, K, D["counts"])
    ax.set_title("(g) within-class variability per class (0 = collapsed)", fontsize=10)

    ax = axes[1, 3]
    if D["nc4"] is not None:
        ax.bar(x, D["nc4"]["per_class"], color=colors)
        ax.axhline(D["nc4"]["agreement"], color="k", ls="--", lw=1,
                   label=f"all samples: {D['nc4']['agreement']:.3f} ({'with' if D['nc4']['bias_used'] else 'no'} bias)")
        ax.set_ylim(0, 1.08)
        ax.set_ylabel("fraction of class k's samples")
        _class_axis(ax, K, D["counts"])
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title("(h) NC4: classifier agrees with nearest class centre", fontsize=10)
    else:
        no_classifier(ax)

    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


_CENTRE_TEXT = {"global": "the sample mean h_G", "class": "the mean of the class means", "none": "nothing",
                "vector": "a given vector"}


def _class_axis(ax, K: int, counts) -> None:
    ax.set_xlabel("class k (count n_k below)" if K <= 20 else "class k")
    if K <= 20:
        ax.set_xticks(np.arange(K), [f"{k}\n{n}" for k, n in zip(range(K), counts)], fontsize=8)
    ax.set_xlim(-0.7, K - 0.3)


def _claim_gram_distances(claim: dict | None) -> dict:
    """Shape distances of the claim's K×K Grams, keyed like the Gram table (for panel (c))."""
    if not claim or not claim.get("applies"):
        return {}
    which = {"gram_W": "WW", "gram_WW": "WW", "gram_H": "HH", "gram_HH": "HH", "gram_WH": "WH"}
    out = {}
    for r in claim["quantities"]:
        if r["quantity"] in which and r["kind"] in ("shape", "scale-free") and r["difference"] is not None:
            out[which[r["quantity"]]] = r["difference"]
    return out
