import sys

from rectlens.cli import main

sys.exit(main())
