"""The exception of database sources that cannot be read as asked (exit 2)."""

from __future__ import annotations

from promoplan.errors import UsageProblem


class WarehouseProblem(UsageProblem):
    """The source cannot be read as asked (exit 2); the message starts with its PA code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"error {code} {message}")
        self.code = code
