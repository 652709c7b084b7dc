import sys

from eval.cli import main

raise SystemExit(main(sys.argv[1:]))
