import sys

from seqsim.cli import main

sys.exit(main())
