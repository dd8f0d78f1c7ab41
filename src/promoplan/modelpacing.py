"""How a cumulative goal is paced: pacing: quarters, last_year, or a curve file."""

from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictStr,
)

from promoplan.modeltypes import (
    Model,
)


class LastYearPacing(Model):
    """``pacing: {last_year: weekday}``: last year's curve with a chosen alignment."""

    last_year: Literal["festivals", "weekday"] = Field(
        "festivals",
        description=(
            "How this year's days find last year's: by weekday (364 days back), and around "
            "Spring Festival, 618, Double 11 and Double 12 by the festival (festivals, the "
            "default)."
        ),
    )


class CurvePacing(Model):
    """``pacing: {curve: curve-2025.csv}``: a team's own daily or weekly shares."""

    curve: StrictStr = Field(
        description="A CSV file (date,share) beside the plan; the shares sum to 1 over the period.",
        examples=["curve-2025.csv"],
    )


PacingValue = Annotated[
    Literal["quarters", "last_year"] | LastYearPacing | CurvePacing,
    Field(
        description=(
            "How the expected share of a cumulative target grows: quarters (the quarter weights), "
            "last_year (last year's cumulative share of the same metric), or {curve: FILE}."
        )
    ),
]
