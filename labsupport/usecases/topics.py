"""MQTT topic names, topic filters and wildcard matching, by the rules of MQTT 3.1.1 (section 4.7).

A topic is an address on a building's internal post: ``factory/line1/temp``
reads left to right from the building to the room, one **level** per
``/``. A subscriber can ask for one room, or use wildcards: ``+`` stands for
exactly one level (``factory/+/temp``: the temperature of every line) and
``#`` for any number of levels at the end (``factory/#``: everything in the
factory, including ``factory`` itself).

The rules checked here are those of the OASIS MQTT Version 3.1.1 standard,
section 4.7 "Topic Names and Topic Filters": names and filters are at least
one character long and contain no U+0000; ``#`` must be the last character
and occupy a whole level; ``+`` must occupy a whole level; names used to
publish contain no wildcard; and a filter starting with a wildcard does not
match a topic name starting with ``$`` (topics such as AWS IoT's reserved
``$aws/...`` ones). AWS IoT Core topic filters accept the same ``+`` and
``#`` wildcards (AWS IoT Core Developer Guide, "MQTT topics"); its own
quotas (for example on the number of levels) are not modelled.
"""

from __future__ import annotations

__all__ = ["TopicError", "validate_topic_name", "validate_topic_filter", "topic_matches"]

MAX_BYTES = 65535  # MQTT strings carry a two-byte length prefix


class TopicError(ValueError):
    """A malformed topic name or topic filter."""


def _check_string(kind: str, text: str) -> list[str]:
    if not isinstance(text, str):
        raise TopicError(f"a topic {kind} must be a string, not {type(text).__name__}")
    if not text:
        raise TopicError(f"a topic {kind} must be at least one character long")
    if "\x00" in text:
        raise TopicError(f"topic {kind} {text!r} contains the null character U+0000, which MQTT forbids")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise TopicError(f"topic {kind} is {len(text.encode('utf-8'))} bytes long; MQTT allows at most {MAX_BYTES}")
    return text.split("/")


def validate_topic_name(name: str) -> str:
    """Return ``name`` if a client may publish to it, else raise :class:`TopicError`.

    Examples
    --------
    >>> validate_topic_name("factory/line1/temp")
    'factory/line1/temp'
    >>> validate_topic_name("factory/+/temp")
    Traceback (most recent call last):
    ...
    labsupport.usecases.topics.TopicError: topic name 'factory/+/temp' contains the wildcard '+'; wildcards are allowed only in topic filters (subscriptions)
    """
    _check_string("name", name)
    for wildcard in "+#":
        if wildcard in name:
            raise TopicError(f"topic name {name!r} contains the wildcard {wildcard!r}; wildcards are allowed only "
                             "in topic filters (subscriptions)")
    return name


def validate_topic_filter(topic_filter: str) -> str:
    """Return ``topic_filter`` if a client may subscribe with it, else raise :class:`TopicError`.

    Examples
    --------
    >>> [validate_topic_filter(f) for f in ("#", "+", "sport/+/player1", "sport/#", "/+")]
    ['#', '+', 'sport/+/player1', 'sport/#', '/+']
    >>> validate_topic_filter("sport/tennis#")
    Traceback (most recent call last):
    ...
    labsupport.usecases.topics.TopicError: topic filter 'sport/tennis#': '#' must occupy a whole level (write 'a/#', not 'a#')
    >>> validate_topic_filter("sport/#/ranking")
    Traceback (most recent call last):
    ...
    labsupport.usecases.topics.TopicError: topic filter 'sport/#/ranking': '#' must be the last level
    """
    levels = _check_string("filter", topic_filter)
    for i, level in enumerate(levels):
        if "#" in level:
            if level != "#":
                raise TopicError(f"topic filter {topic_filter!r}: '#' must occupy a whole level (write 'a/#', not 'a#')")
            if i != len(levels) - 1:
                raise TopicError(f"topic filter {topic_filter!r}: '#' must be the last level")
        if "+" in level and level != "+":
            raise TopicError(f"topic filter {topic_filter!r}: '+' must occupy a whole level "
                             "(write 'a/+/b', not 'a+/b')")
    return topic_filter


def topic_matches(topic_filter: str, name: str) -> bool:
    """Does ``topic_filter`` match the topic ``name``?

    Examples
    --------
    >>> [topic_matches("sport/tennis/#", t) for t in ("sport/tennis", "sport/tennis/p1/score", "sport")]
    [True, True, False]
    >>> [topic_matches("sport/+", t) for t in ("sport", "sport/", "sport/tennis", "sport/tennis/p1")]
    [False, True, True, False]
    >>> topic_matches("+/monitor", "$SYS/monitor"), topic_matches("$SYS/#", "$SYS/monitor")
    (False, True)
    """
    want = validate_topic_filter(topic_filter).split("/")
    have = validate_topic_name(name).split("/")
    if name.startswith("$") and want[0] in ("+", "#"):
        return False
    for i, level in enumerate(want):
        if level == "#":
            return True  # matches this level and everything below it, including the parent itself
        if i >= len(have):
            return False
        if level != "+" and level != have[i]:
            return False
    return len(have) == len(want)
