"""The article as the pipeline sees it: checked input plus derived facts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from schemas import ArticleIn


@dataclass(frozen=True)
class Article:
    """A submitted article, normalised for the pipeline and the backends."""

    text: str
    id: str | None = None
    url: str | None = None
    title: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    published: date | None = None
    language: str | None = None
    output_language: str | None = None

    @property
    def sha256(self) -> str:
        """Hash of the text: logged instead of the text itself."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def published_iso(self) -> str | None:
        """The publication date-time (or date) in ISO 8601, when known."""
        when = self.published_at or self.published
        return when.isoformat() if when is not None else None

    @classmethod
    def from_input(cls, data: ArticleIn) -> Article:
        """Build from the validated request body."""
        published_at: datetime | None = None
        published: date | None = None
        if isinstance(data.published_at, datetime):
            published_at = data.published_at
            published = data.published_at.date()
        elif isinstance(data.published_at, date):
            published = data.published_at
        return cls(
            text=data.text,
            id=data.id,
            url=data.url,
            title=data.title,
            source=data.source,
            published_at=published_at,
            published=published,
            language=data.language,
            output_language=data.output_language,
        )
