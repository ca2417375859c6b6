"""``python -m smtplab`` runs the same CLI as the ``smtplab`` script."""

from smtplab.cli import main

raise SystemExit(main())
