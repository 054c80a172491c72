"""``python -m seqsim.settings``: rewrite the files generated from the registry."""

from seqsim.settings.generated import main

raise SystemExit(main())
