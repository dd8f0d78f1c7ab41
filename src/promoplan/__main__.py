"""Allow ``python -m promoplan``."""

from promoplan.process import main

main()
