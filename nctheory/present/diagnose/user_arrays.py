"""One network's arrays, validated: features (one row per sample), labels, optional classifier and bias."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nctheory.metrics.validation import empty_classes


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


def _pickle_refused(name: str, where: str) -> ValueError:
    return ValueError(f"{name}: {where} holds a pickled object array, which is refused (it could run code); "
                      "save numeric arrays, e.g. np.savez(path, features=np.asarray(f, dtype=np.float32), ...)")


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
    empty = empty_classes(lab, K)
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
