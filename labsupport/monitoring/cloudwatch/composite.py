"""Composite alarms: a rule over the states of other alarms.

A composite alarm is a supervisor who pages only when the right combination
of smoke detectors is going off: ``ALARM(HighLatency) AND NOT
ALARM(DeploymentInProgress)``. It watches states, not metrics.

Syntax, from the Amazon CloudWatch User Guide ("Composite alarms",
alarm-combining.html, and "Creating a composite alarm") and the
PutCompositeAlarm ``AlarmRule`` reference:

* ``ALARM(name)``, ``OK(name)``, ``INSUFFICIENT_DATA(name)`` are TRUE when the
  named alarm is in that state; ``TRUE`` and ``FALSE`` are constants.
* ``AND``, ``OR``, ``NOT`` combine them; parentheses group.
* ``AT_LEAST(M, STATE_CONDITION, (a1, a2, ...))`` is TRUE when at least M (or
  M% when written ``50%``) of the listed alarms meet STATE_CONDITION, one of
  ALARM, OK, INSUFFICIENT_DATA, NOT ALARM, NOT OK, NOT INSUFFICIENT_DATA.
* Names may be quoted (``"my alarm"``, with ``\\"`` for a quote inside) or
  bare; bare names "must not contain spaces, round brackets, or commas".
* A rule may name as many as 100 child alarms.
* The composite "goes into ALARM state only if all conditions of the rule are
  met"; otherwise it is OK.

The docs do not state a precedence between AND and OR, so a rule that mixes
them at one level without parentheses is rejected rather than guessed at.
``NOT`` applies to the single term that follows it, as in the documented
example ``ALARM(A) AND NOT ALARM(B)``. ``AT_LEAST`` with a percentage counts
as TRUE when ``matching / listed >= M/100``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from labsupport.checks import check_type, out_of_range
from labsupport.monitoring.cloudwatch.alarms import ALARM, INSUFFICIENT_DATA, OK, STATES

__all__ = ["Rule", "parse_rule", "evaluate_rule", "composite_state", "evaluate_composite_series"]

MAX_CHILD_ALARMS = 100
_TOKEN = re.compile(r'\s*(?:(?P<quoted>"(?:\\.|[^"\\])*")|(?P<punct>[(),])|(?P<word>[^\s(),"]+))')
_STATE_FUNCTIONS = (ALARM, OK, INSUFFICIENT_DATA)


@dataclass(frozen=True)
class Rule:
    """A parsed rule: ``tree`` is nested tuples, ``alarms`` the names it reads."""

    text: str
    tree: tuple
    alarms: frozenset[str]


def parse_rule(text: str) -> Rule:
    """Parse an AlarmRule expression, raising ValueError that points at the problem.

    Examples
    --------
    >>> sorted(parse_rule('(ALARM(cpu) OR ALARM("disk io")) AND OK(net)').alarms)
    ['cpu', 'disk io', 'net']
    >>> parse_rule("ALARM(a) AND ALARM(b) OR ALARM(c)")
    Traceback (most recent call last):
    ValueError: rule mixes AND and OR without parentheses at token 9 ('OR'); ...
    """
    if not check_type("rule", text, str).strip():
        raise out_of_range("rule", text, "a non-empty rule such as 'ALARM(cpu) AND OK(net)'", why="is empty")
    tokens = _tokenize(text)
    parser = _Parser(tokens)
    tree = parser.expression()
    if parser.pos != len(tokens):
        parser.fail("AND, OR or the end of the rule")
    alarms = frozenset(_names(tree))
    if len(alarms) > MAX_CHILD_ALARMS:
        raise ValueError(f"rule names {len(alarms)} alarms; CloudWatch allows at most {MAX_CHILD_ALARMS}")
    return Rule(text, tree, alarms)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while text[pos:].strip():
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ValueError(f"rule has an unterminated quoted name at character {pos}: {text[pos:]!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "quoted":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent over the tokens; one method per grammar rule."""

    def __init__(self, tokens):
        self.tokens, self.pos = tokens, 0

    def peek(self) -> str | None:
        """The next token; a quoted name keeps its quotes so it never reads as a keyword."""
        if self.pos >= len(self.tokens):
            return None
        kind, value = self.tokens[self.pos]
        return f'"{value}"' if kind == "quoted" else value

    def fail(self, expected: str):
        got = "the end of the rule" if self.peek() is None else repr(self.peek())
        raise ValueError(f"rule: expected {expected} at token {self.pos}, found {got}")

    def take(self, value: str) -> None:
        if self.peek() != value:
            self.fail(repr(value))
        self.pos += 1

    def expression(self) -> tuple:
        terms, ops = [self.unary()], set()
        while self.peek() in ("AND", "OR"):
            ops.add(self.peek())
            if len(ops) > 1:
                raise ValueError(f"rule mixes AND and OR without parentheses at token {self.pos} "
                                 f"({self.peek()!r}); CloudWatch documents no precedence, so add parentheses")
            self.pos += 1
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (ops.pop(), tuple(terms))

    def unary(self) -> tuple:
        if self.peek() == "NOT":
            self.pos += 1
            return ("NOT", self.unary())
        return self.primary()

    def primary(self) -> tuple:
        word = self.peek()
        if word == "(":
            self.pos += 1
            inner = self.expression()
            self.take(")")
            return inner
        if word in ("TRUE", "FALSE"):
            self.pos += 1
            return ("CONST", word == "TRUE")
        if word in _STATE_FUNCTIONS:
            self.pos += 1
            self.take("(")
            name = self.name()
            self.take(")")
            return ("STATE", word, name)
        if word == "AT_LEAST":
            return self.at_least()
        self.fail("ALARM(...), OK(...), INSUFFICIENT_DATA(...), AT_LEAST(...), TRUE, FALSE, NOT or '('")

    def name(self) -> str:
        if self.pos >= len(self.tokens) or self.tokens[self.pos][0] == "punct":
            self.fail("an alarm name")
        self.pos += 1
        return self.tokens[self.pos - 1][1]

    def at_least(self) -> tuple:
        self.pos += 1
        self.take("(")
        count = self.peek() or ""
        match = re.fullmatch(r"(\d+)(%?)", count)
        if match is None or (match.group(2) and int(match.group(1)) > 100) or int(match.group(1)) < 1:
            self.fail("a count >= 1 or a percentage 1%..100%")
        self.pos += 1
        self.take(",")
        negate = self.peek() == "NOT"
        self.pos += negate
        if self.peek() not in _STATE_FUNCTIONS:
            self.fail("ALARM, OK or INSUFFICIENT_DATA")
        state = self.peek()
        self.pos += 1
        self.take(",")
        self.take("(")
        names = [self.name()]
        while self.peek() == ",":
            self.pos += 1
            names.append(self.name())
        self.take(")")
        self.take(")")
        if not match.group(2) and int(match.group(1)) > len(names):
            raise ValueError(f"AT_LEAST({count}, ...) asks for more alarms than the {len(names)} listed")
        return ("AT_LEAST", int(match.group(1)), bool(match.group(2)), negate, state, tuple(names))


def _names(tree: tuple):
    kind = tree[0]
    if kind == "STATE":
        yield tree[2]
    elif kind == "AT_LEAST":
        yield from tree[5]
    elif kind == "NOT":
        yield from _names(tree[1])
    elif kind in ("AND", "OR"):
        for term in tree[1]:
            yield from _names(term)


def evaluate_rule(rule: str | Rule, states: Mapping[str, str]) -> bool:
    """Whether the rule is TRUE for the given child-alarm states.

    Examples
    --------
    >>> evaluate_rule("ALARM(cpu) AND NOT ALARM(deploy)", {"cpu": "ALARM", "deploy": "OK"})
    True
    >>> evaluate_rule("AT_LEAST(50%, ALARM, (a, b, c))", {"a": "ALARM", "b": "OK", "c": "OK"})
    False
    """
    rule = parse_rule(rule) if isinstance(rule, str) else rule
    unknown = sorted(rule.alarms - set(states))
    if unknown:
        raise ValueError(f"states has no entry for alarm(s) {unknown}; the rule reads {sorted(rule.alarms)}")
    for name in rule.alarms:
        if states[name] not in STATES:
            raise ValueError(f"states[{name!r}]={states[name]!r}; choose one of {', '.join(STATES)}")
    return _eval(rule.tree, states)


def _eval(tree: tuple, states: Mapping[str, str]) -> bool:
    kind = tree[0]
    if kind == "CONST":
        return tree[1]
    if kind == "STATE":
        return states[tree[2]] == tree[1]
    if kind == "NOT":
        return not _eval(tree[1], states)
    if kind == "AND":
        return all(_eval(t, states) for t in tree[1])
    if kind == "OR":
        return any(_eval(t, states) for t in tree[1])
    _, m, is_percent, negate, state, names = tree
    matching = sum((states[n] == state) != negate for n in names)
    return matching * 100 >= m * len(names) if is_percent else matching >= m


def composite_state(rule: str | Rule, states: Mapping[str, str]) -> str:
    """ALARM when the rule is TRUE, otherwise OK.

    Examples
    --------
    >>> composite_state("ALARM(a) OR ALARM(b)", {"a": "OK", "b": "INSUFFICIENT_DATA"})
    'OK'
    """
    return ALARM if evaluate_rule(rule, states) else OK


def evaluate_composite_series(rule: str | Rule, state_series: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """Composite state at each step, given each child's state at the same steps.

    Examples
    --------
    >>> evaluate_composite_series("ALARM(a) AND ALARM(b)",
    ...                           {"a": ["OK", "ALARM", "ALARM"], "b": ["ALARM", "OK", "ALARM"]})
    ('OK', 'OK', 'ALARM')
    """
    rule = parse_rule(rule) if isinstance(rule, str) else rule
    lengths = {len(s) for s in state_series.values()}
    if len(lengths) > 1:
        raise ValueError(f"state_series have different lengths {sorted(lengths)}; give one state per step")
    steps = lengths.pop() if lengths else 0
    return tuple(composite_state(rule, {k: v[i] for k, v in state_series.items()}) for i in range(steps))
