"""Allow ``python -m promoplan``."""

from promoplan.cli import main

main()
