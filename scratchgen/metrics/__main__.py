"""``python -m scratchgen.metrics``: see ``command_line.py``."""
from .command_line import main

main()
