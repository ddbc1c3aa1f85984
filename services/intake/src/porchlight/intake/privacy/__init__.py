"""Privacy: personal data is redacted from every text that leaves intake.

``redact(text)`` returns a :class:`Redaction`: ``.text`` with typed placeholders (``[EMAIL]``,
``[PHONE]``, ``[ID]``, ``[PLATE]``, ``[NUMBER]``, ``[DATE]``, ``[NAME]``) and ``.found``, counts
per kind (never the values). Names come from the rules, a pinned NER model (``ner.py``)
and a pinned given-name dictionary (``given_names.py``).
``install_log_redaction`` puts the rules on every log record as defence in depth:
intake never logs texts in the first place.
"""

from porchlight.intake.privacy.logging import RedactingFilter, install_log_redaction
from porchlight.intake.privacy.redact import KINDS, PLACEHOLDERS, Redaction, redact

__all__ = ["KINDS", "PLACEHOLDERS", "RedactingFilter", "Redaction", "install_log_redaction", "redact"]
