"""Classification codes (CPV 2008 and any other scheme) with labels in both languages."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from procure.extensions import db


class ClassificationCode(db.Model):
    """One code of one scheme; the hierarchy is the code's prefix (CPV: 2, 3, 4, 5–8 digits)."""

    __tablename__ = "classification_code"

    scheme: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(16), index=True)
    level: Mapped[int] = mapped_column(Integer)
    label_en: Mapped[str] = mapped_column(String(400))
    label_ko: Mapped[str | None] = mapped_column(String(400))

    def label(self, locale: str = "ko") -> str:
        return self.label_ko if locale == "ko" and self.label_ko else self.label_en
