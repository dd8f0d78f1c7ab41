"""promoplan: validate promotion plans and track them against CSV actuals."""

__version__ = "0.1.0"
