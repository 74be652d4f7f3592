"""`python -m graphmodel.cli`: the same as the `tenantgraph` command."""

import sys

from graphmodel.cli import main

sys.exit(main())
