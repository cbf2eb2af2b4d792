"""``python -m flyte_nb``: the ``flyte-nb`` command line (run, doctor, clean)."""

import sys

from ._cli import main

sys.exit(main())
