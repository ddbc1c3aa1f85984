"""``python -m porchlight.kit`` is the ``porchlight`` command."""

from porchlight.kit.cli import main

main()
