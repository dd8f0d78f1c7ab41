"""Where notifications go: ``--notify TARGET`` and the plan's ``notify:``, resolved from the env.

A TARGET on the command line is

- ``plan``: every entry of the plan's ``notify:`` list;
- ``KIND`` (``wecom``, ``dingtalk``, ``feishu``, ``slack``, ``webhook``): the URL
  from ``PROMOPLAN_<KIND>_WEBHOOK``, the secret (when set) from ``PROMOPLAN_<KIND>_SECRET``;
- ``KIND:PREFIX``: the URL from ``<PREFIX>_WEBHOOK``, the secret from ``<PREFIX>_SECRET``
  (two DingTalk groups: ``dingtalk:OPS_DINGTALK`` and ``dingtalk:SALES_DINGTALK``).

URLs and secrets are read from the environment only, and never shown: a
:class:`Target` keeps them out of its ``repr``, and :class:`Redactor` takes them
out of any text from outside (a robot's answer, a payload) before it is printed.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from promoplan.errors import UsageProblem
from promoplan.modelnotify import ENV_REFERENCE, NOTIFY_KINDS, NotifyTarget
from promoplan.vocabulary import NotifyBody, NotifyKind, NotifyWhen

_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
LINK_FIELDS = ("file", "period")
TOKEN_SIZE = 16  # a URL path segment this long may be a key, and is masked wherever printed
SUBSTRING_SIZE = 8  # a hidden value this long is masked even inside a longer word
SHORTEST = 4  # shorter URL fragments ("/", "a", "v=1") are no key: hiding them mangles text


@dataclass(frozen=True)
class NotifyRequest:
    """What the command line asked for: ``--notify`` values, ``--link``, how to treat failure."""

    targets: tuple[str, ...]
    link: str | None = None
    optional: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class TargetSpec:
    """A target as configured, before the environment is read: names of variables, no values."""

    kind: NotifyKind
    origin: str  # how the user named it: "--notify dingtalk", "notify[0]"
    webhook_var: str
    secret_var: str | None
    secret_required: bool  # a plan's secret: must be set; the default variable: used when set
    when: NotifyWhen = "always"
    link: str | None = None
    body: NotifyBody = "summary"

    @property
    def name(self) -> str:
        """How messages name this target: ``dingtalk ($PROMOPLAN_DINGTALK_WEBHOOK)``."""
        return f"{self.kind} (${self.webhook_var})"


@dataclass(frozen=True)
class Target:
    """A target with its URL and secret from the environment (both kept out of ``repr``)."""

    spec: TargetSpec
    webhook: str = field(repr=False)
    secret: str | None = field(repr=False, default=None)


def parse_request(
    targets: Sequence[str], *, link: str | None, optional: bool, dry_run: bool
) -> NotifyRequest | None:
    """Check the ``--notify`` options (exit 2 for a bad one); None when nothing is to be sent."""
    if not targets:
        given = [
            name
            for name, on in (
                ("--link", link),
                ("--notify-optional", optional),
                ("--dry-run", dry_run),
            )
            if on
        ]
        if given:
            raise UsageProblem(f"{given[0]} goes with --notify TARGET; add --notify dingtalk (say)")
        return None
    for text in targets:
        if text.strip().lower() != "plan":
            cli_target(text)  # raises UsageProblem for a bad spelling
    if link is not None:
        check_link(link, "--link")
    return NotifyRequest(tuple(targets), link=link, optional=optional, dry_run=dry_run)


def cli_target(text: str) -> TargetSpec:
    """``KIND`` or ``KIND:PREFIX`` from the command line."""
    kind_text, _, prefix = text.strip().partition(":")
    kind = kind_text.lower()
    if kind not in NOTIFY_KINDS:
        raise UsageProblem(
            f"unknown --notify {text!r}; use plan, one of {', '.join(NOTIFY_KINDS)}, "
            "or KIND:PREFIX (webhook in $PREFIX_WEBHOOK)"
        )
    if prefix and not _PREFIX.match(prefix):
        raise UsageProblem(
            f"--notify {text!r}: {prefix!r} is not an environment variable prefix "
            "(letters, digits and _)"
        )
    base = prefix or f"PROMOPLAN_{kind.upper()}"
    return TargetSpec(
        kind=kind,  # narrowed by the check against NOTIFY_KINDS
        origin=f"--notify {text.strip()}",
        webhook_var=f"{base}_WEBHOOK",
        secret_var=f"{base}_SECRET",
        secret_required=False,
    )


def plan_targets(entries: Sequence[NotifyTarget]) -> list[TargetSpec]:
    """The plan's ``notify:`` entries (their references were checked by PP140)."""
    found = []
    for index, entry in enumerate(entries):
        default = f"PROMOPLAN_{entry.to.upper()}"
        webhook = _variable(entry.webhook) or f"{default}_WEBHOOK"
        secret = _variable(entry.secret)
        found.append(
            TargetSpec(
                kind=entry.to,
                origin=f"notify[{index}]",
                webhook_var=webhook,
                secret_var=secret,
                secret_required=secret is not None,
                when=entry.when,
                link=entry.link,
                body=entry.body,
            )
        )
    return found


def _variable(reference: str | None) -> str | None:
    if reference is None:
        return None
    match = ENV_REFERENCE.match(reference)
    if match is None:  # PP140 stops the run before this; be safe anyway
        raise UsageProblem("a notify webhook or secret is not a ${NAME} reference (PP140)")
    return match[1]


def requested_targets(request: NotifyRequest, entries: Sequence[NotifyTarget]) -> list[TargetSpec]:
    """Every target asked for, in order, each once."""
    specs: list[TargetSpec] = []
    for text in request.targets:
        if text.strip().lower() == "plan":
            if not entries:
                raise UsageProblem(
                    "--notify plan: the plan has no notify: entries; add one, or name a kind "
                    "such as --notify dingtalk"
                )
            specs.extend(plan_targets(entries))
        else:
            specs.append(cli_target(text))
    unique: dict[tuple[str, str], TargetSpec] = {}
    for spec in specs:
        unique.setdefault((spec.kind, spec.webhook_var), spec)
    return list(unique.values())


def resolve(spec: TargetSpec, environ: Mapping[str, str]) -> Target | str:
    """The target with its URL and secret, or one line saying what is missing (no values)."""
    webhook = environ.get(spec.webhook_var, "").strip()
    if not webhook:
        return f"${spec.webhook_var} is not set; export the robot's webhook URL in it"
    try:
        parsed = urllib.parse.urlsplit(webhook)
        parsed.port  # noqa: B018  # raises ValueError for a port that is no number
    except ValueError:  # a bracket left open, a port of letters: its words repeat the URL
        return f"${spec.webhook_var} does not hold a valid URL (its host or port)"
    if parsed.scheme.lower() not in ("http", "https") or not parsed.hostname:
        return f"${spec.webhook_var} does not hold an http(s) URL"
    secret: str | None = None
    if spec.secret_var is not None:
        secret = environ.get(spec.secret_var, "").strip() or None
        if secret is None and spec.secret_required:
            return f"${spec.secret_var} is not set; export the robot's signing secret in it"
    return Target(spec=spec, webhook=webhook, secret=secret)


def check_link(link: str, where: str) -> None:
    """A report link is an http(s) URL; ``{file}`` and ``{period}`` are the only fields."""
    parsed = urllib.parse.urlsplit(link)
    if parsed.scheme.lower() not in ("http", "https") or not parsed.netloc:
        raise UsageProblem(f"{where} must be an http(s) URL, such as https://reports.example.com/")
    for name in re.findall(r"\{([^{}]*)\}", link):
        if name not in LINK_FIELDS:
            raise UsageProblem(f"{where}: unknown field {{{name}}}; use {{file}} or {{period}}")


def fill_link(link: str | None, *, file: str | None, period: str) -> str | None:
    """``{file}`` (the report file's name) and ``{period}`` (``2025-W26``) filled in, URL-safe."""
    if link is None:
        return None
    if "{file}" in link and file is None:
        raise UsageProblem("the link uses {file}, but the report goes to stdout; give --output")
    text = link.replace("{file}", urllib.parse.quote(file or "")).replace(
        "{period}", urllib.parse.quote(period)
    )
    # Characters that would end a Markdown link or a Slack <url|text> are percent-encoded.
    return urllib.parse.quote(text, safe=":/?#@!$&'*+,;=%~[]-._")


class Redactor:
    """Takes every secret part of the targets' URLs and secrets out of text from outside.

    Applied to what came from outside promoplan (a robot's answer, a payload shown by
    ``--dry-run``), never to promoplan's own words: ``$TFAST_WEBHOOK`` stays whole
    when the key is ``FAST``. A value of :data:`SUBSTRING_SIZE` characters or more
    is masked wherever it appears; a shorter one wherever it stands as a whole
    token (``key=FAST&``, ``token FAST``), but not inside a longer word (``FASTER``),
    where a few characters are no sign of the key. Values under :data:`SHORTEST`
    characters (``/``, ``v=1``) are no key and are left alone.
    """

    def __init__(self, targets: Sequence[Target] = ()) -> None:
        self._values: set[str] = set()
        self._patterns: list[re.Pattern[str]] = []
        for target in targets:
            self.add(target.webhook)
            if target.secret:
                self.add(target.secret)

    def add(self, value: str) -> None:
        """Hide ``value`` and, for a URL, its path, query and each query value."""
        parts = [value]
        parsed = urllib.parse.urlsplit(value)
        if parsed.scheme and parsed.netloc:
            parts += [parsed.path, parsed.query, parsed.netloc.rpartition("@")[0]]
            parts += [v for _, v in urllib.parse.parse_qsl(parsed.query)]
            # Path segments long enough to be a token (Feishu's UUID, Slack's 24 characters).
            parts += [segment for segment in parsed.path.split("/") if len(segment) >= TOKEN_SIZE]
        for part in parts:
            if len(part) >= SHORTEST:
                self._values.add(part)
                self._values.add(urllib.parse.quote_plus(part))
                self._values.add(urllib.parse.quote(part, safe=""))
        # The longest first: a URL is masked whole before its parts are looked for.
        ordered = sorted(self._values, key=lambda hidden: (-len(hidden), hidden))
        self._patterns = [_hidden_pattern(hidden) for hidden in ordered]

    def __call__(self, text: str) -> str:
        """``text`` with every hidden value replaced by ``***``."""
        for pattern in self._patterns:
            text = pattern.sub("***", text)
        return text


def _hidden_pattern(value: str) -> re.Pattern[str]:
    """``value`` anywhere when it is long; as a whole token (not inside a word) when short."""
    found = re.escape(value)
    if len(value) < SUBSTRING_SIZE:
        if re.match(r"\w", value[0]):
            found = r"(?<!\w)" + found
        if re.match(r"\w", value[-1]):
            found += r"(?!\w)"
    return re.compile(found)


def masked_url(url: str) -> str:
    """``https://oapi.dingtalk.com/***``: scheme and host only; path, query and user hidden."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.hostname or "?"
    if parsed.port:
        host += f":{parsed.port}"
    return f"{parsed.scheme}://{host}/***"
