"""The quality JSON of DESIGN §4a (one dataset), a catalogue's aggregate and its history, as pydantic models."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from app.quality.metrics import Rating


class DimensionScore(BaseModel):
    """One dimension of one dataset: its points, its maximum and each indicator's points (null: not measured,
    as reachability without link checks)."""

    score: int
    max: int
    indicators: dict[str, int | None]


class Freshness(BaseModel):
    """Is the dataset updated as often as it says? (`applicable` false: its frequency sets no deadline.)"""

    applicable: bool
    frequency: str | None = Field(description="dct:accrualPeriodicity: an EU frequency IRI or an ISO 8601 interval")
    last_modified: date | None = Field(description="the data's last change where the source gives it, else the "
                                                   "description's (dct:modified)")
    due: date | None = Field(description="the last change plus the frequency's interval and a 20 % margin")
    overdue: bool
    days_overdue: int | None = Field(description="days begun since `due`; 0 when not overdue; null when not "
                                                 "applicable or when there is no date at all")


class DatasetQuality(BaseModel):
    """GET .../datasets/{id}/quality (DESIGN §4a)."""

    model_config = ConfigDict(extra="forbid")

    dataset: str
    score: int
    max: int
    rating: Rating
    dimensions: dict[str, DimensionScore]
    freshness: Freshness
    checked_at: datetime


class CatalogueDimension(BaseModel):
    """One dimension of a catalogue: points with decimals (each indicator's share of datasets × its points)."""

    score: float
    max: int
    indicators: dict[str, float]


class FreshnessSummary(BaseModel):
    """How many of a catalogue's datasets state a deadline, and how many passed it."""

    datasets: int
    applicable: int
    overdue: int
    overdue_share: float | None = Field(description="overdue / applicable; null when no dataset is applicable")


class OverdueDataset(BaseModel):
    """One line of a catalogue's overdue list (worst first: no date at all, then most days overdue)."""

    dataset: str
    title: str | None
    publisher: str | None
    frequency: str | None
    last_modified: date | None
    due: date | None
    days_overdue: int | None


class CatalogueQuality(BaseModel):
    """GET /catalogues/{cc}/quality: the MQA aggregate (for each indicator, the share of datasets that satisfy
    it × its points), by dimension, with the rating, the score distribution and freshness."""

    catalogue: str
    title: str | None = None
    datasets: int
    score: float
    max: int
    rating: Rating
    dimensions: dict[str, CatalogueDimension]
    shares: dict[str, float] = Field(description="indicator → share of datasets satisfying it (0–1)")
    unmeasured: dict[str, float] = Field(description="indicator → share of datasets where it was not measured "
                                                     "(reachability without link checks)")
    ratings: dict[str, int] = Field(description="rating → number of datasets")
    histogram: list[int] = Field(description="datasets per 45-point band of score: 0–44, 45–89, ..., 360–405")
    freshness: FreshnessSummary
    overdue: list[OverdueDataset]
    checked_at: datetime


class HistoryPoint(BaseModel):
    """One day of a catalogue's history, for the trends."""

    catalogue: str
    day: date
    datasets: int
    score: float
    rating: Rating
    dimensions: dict[str, float]
    overdue_share: float | None
