"""Privacy: personal data is redacted from every text that leaves intake.

``redact(text)`` returns a :class:`Redaction`: ``.text`` with typed placeholders (``[EMAIL]``,
``[PHONE]``, ``[PLATE]``, ``[NUMBER]``, ``[NAME]``) and ``.found``, counts per kind (never the
values). ``install_log_redaction`` puts the same rule on every log record as defence in depth:
intake never logs texts in the first place.
"""

from porchlight.intake.privacy.logging import RedactingFilter, install_log_redaction
from porchlight.intake.privacy.redact import KINDS, PLACEHOLDERS, Redaction, redact

__all__ = ["KINDS", "PLACEHOLDERS", "RedactingFilter", "Redaction", "install_log_redaction", "redact"]
