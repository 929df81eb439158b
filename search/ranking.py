"""Ranking weights shared by both backends, declared in one place."""

#: Multiplier on matches in the title (body matches count 1).
TITLE_BOOST = 3.0
#: Multiplier on matches in classification labels and the organisation name.
EXTRA_BOOST = 0.5
#: Multiplier on an exact classification code match (a typed CPV or GSIN code).
CODE_BOOST = 4.0
#: Score added to designated (혁신제품 지정) documents that match the text.
DESIGNATED_BONUS = 1.0
#: Score added to documents published in the last FRESH_DAYS days.
FRESH_BONUS = 0.5
FRESH_DAYS = 30
