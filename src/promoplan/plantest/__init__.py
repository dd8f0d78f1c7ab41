"""``promoplan test``: unit tests for a plan's alert rules, goals and budget, with fixture data.

A test file (``*.test.yaml``) names a plan and holds tests; each test gives
actuals (fixture CSV files or inline ``rows:``), pins ``as_of`` and ``period``
and says which alerts must fire and which goal and budget statuses must come
out. The runner reads fixtures and evaluates exactly as ``promoplan check``
does, so a test exercises what production runs.

Modules: :mod:`.model` (the file format), :mod:`.loader` (safe YAML, located
diagnostics), :mod:`.compare` (pure comparison), :mod:`.explain` (why an
expected alert stayed quiet), :mod:`.runner` (the only I/O), :mod:`.result`
(frozen outcomes) and :mod:`.starter` (``init --tests``). The command is
:mod:`promoplan.commands.test`; the renderers are ``render/plantest_*.py``.
"""
