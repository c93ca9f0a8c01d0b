"""Verification: one comparison loop (:mod:`.compare`), precision estimates (:mod:`.precision`), the verdict
rules (:mod:`.verdict`), the engine (:func:`verify_claim`) and what it reports (:mod:`.records`)."""

from nctheory.verify.compare import SAFETY, Check, compare
from nctheory.verify.engine import MAX_CERTIFICATE_ALLOWANCE, MAX_REL_GAP, verify_claim
from nctheory.verify.records import Evidence, Verification
from nctheory.verify.verdict import VERDICTS, Decision, Verdict, exit_code

__all__ = ["verify_claim", "Verification", "Evidence", "Check", "compare", "Verdict", "Decision", "VERDICTS",
           "exit_code", "MAX_REL_GAP", "MAX_CERTIFICATE_ALLOWANCE", "SAFETY"]
