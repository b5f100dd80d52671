"""The input of the big-data use case: a seeded corpus of documents, its splits, and the reference answer.

A library's loan slips are the classic input for counting: millions of
short records, a few titles borrowed far more often than the rest (word
frequencies follow Zipf's law), and sometimes one title that everybody
borrows this month, the **hot key** that makes one counter far busier than
the others. Everything here is generated locally from a seed; nothing is
downloaded. :func:`word_count` is the single-machine answer that every
distributed engine must reproduce exactly, and :func:`partition_of` is the
partitioning function both engines share: a stable hash of the key modulo
``R`` (Python's own ``hash`` of a string changes from one process to the
next, so it cannot be used to route keys between machines).
"""

from __future__ import annotations

import bisect
import itertools
import zlib
from collections import Counter
from typing import Sequence

from labsupport.checks import check_int, check_number, check_probability
from labsupport.seeds import Seed, as_rng

__all__ = ["Document", "generate_corpus", "split_input", "word_count", "partition_of"]

Document = tuple[str, ...]


def generate_corpus(n_docs: int = 200, words_per_doc: int = 100, *, vocabulary: int = 2000, zipf_s: float = 1.1,
                    hot_word: str | None = None, hot_share: float = 0.0, seed: Seed = None) -> tuple[Document, ...]:
    """``n_docs`` documents of ``words_per_doc`` words drawn from a Zipf law over ``vocabulary`` words.

    With ``hot_word``, each word is replaced by it with probability ``hot_share``.

    Examples
    --------
    >>> docs = generate_corpus(3, 4, vocabulary=10, seed=1)
    >>> len(docs), all(len(d) == 4 for d in docs)
    (3, True)
    >>> docs == generate_corpus(3, 4, vocabulary=10, seed=1)
    True
    >>> sum(d.count("hot") for d in generate_corpus(100, 100, hot_word="hot", hot_share=0.3, seed=2))
    3043
    """
    for name, value in (("n_docs", n_docs), ("words_per_doc", words_per_doc), ("vocabulary", vocabulary)):
        check_int(name, value, low=1)
    check_number("zipf_s", zipf_s, low=0, low_open=True)
    check_probability("hot_share", hot_share)
    if hot_share and not hot_word:
        raise ValueError("hot_share > 0 needs a hot_word")
    rng = as_rng(seed)
    words = [f"w{i:04d}" for i in range(vocabulary)]
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** zipf_s for rank in range(vocabulary)))
    total = cumulative[-1]

    def draw() -> str:
        if hot_share and rng.random() < hot_share:
            return hot_word
        return words[min(vocabulary - 1, bisect.bisect_left(cumulative, rng.random() * total))]

    return tuple(tuple(draw() for _ in range(words_per_doc)) for _ in range(n_docs))


def split_input(docs: Sequence[Document], m: int) -> tuple[tuple[Document, ...], ...]:
    """Cut ``docs`` into ``m`` contiguous input splits whose sizes differ by at most one document.

    Examples
    --------
    >>> [len(s) for s in split_input([("a",)] * 10, 4)]
    [3, 3, 2, 2]
    >>> split_input([("a",)], 2)
    Traceback (most recent call last):
    ...
    ValueError: m=2 is out of range; choose 1 <= m <= 1
    """
    check_int("m", m, low=1, high=len(docs))  # splits, at most one per document
    size, extra = divmod(len(docs), m)
    out, start = [], 0
    for i in range(m):
        end = start + size + (1 if i < extra else 0)
        out.append(tuple(docs[start:end]))
        start = end
    return tuple(out)


def word_count(docs: Sequence[Document]) -> dict[str, int]:
    """The reference answer, on one machine: word -> occurrences, sorted by word.

    Examples
    --------
    >>> word_count([("b", "a"), ("a",)])
    {'a': 2, 'b': 1}
    """
    counts = Counter(word for doc in docs for word in doc)
    return dict(sorted(counts.items()))


def partition_of(key: str, r: int) -> int:
    """The reduce partition of ``key``: CRC-32 of its UTF-8 bytes modulo ``r`` (the same in every process).

    Examples
    --------
    >>> partition_of("hello", 4), partition_of("hello", 4) == partition_of("hello", 4)
    (2, True)
    """
    check_int("r", r, low=1)  # reduce partitions
    return zlib.crc32(key.encode("utf-8")) % r
