"""promoplan: validate promotion plans and track them against actuals (files or a database)."""

__version__ = "0.1.0"
