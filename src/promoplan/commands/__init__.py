"""The commands, one module each, side by side: none imports another.

What they share (reading the plan and its actuals once, settling as-of) lives
in :mod:`promoplan.inputs`; the CLI parses options, calls one of these, renders
what it returns through :mod:`promoplan.render` and returns the exit status.
"""
