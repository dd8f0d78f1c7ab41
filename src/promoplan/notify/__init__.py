"""Notifications from ``promoplan report``: the report's summary posted to group chat robots.

WeCom, DingTalk, Feishu, Slack and a generic JSON webhook, one module each
(payload, signature, how the robot answers). :mod:`.config` turns ``--notify``
and the plan's ``notify:`` into targets whose URLs and secrets come from the
environment; :mod:`.message` writes the summary from the same result as the
report; :mod:`.deliver` posts it with the standard library (timeout, retries,
backoff); :mod:`.run` ties them together after the report file is written.

Nothing here is imported unless ``report --notify`` runs.
"""
