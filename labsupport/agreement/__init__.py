"""Chapter 9: how machines agree under partitions, crashes, pauses and clock drift.

Each module is one mechanism of the chapter; the list grows with the chapter's pages.

Nothing is imported here.
"""

__all__: list[str] = []
