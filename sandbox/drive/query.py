"""The `q` search language of `files.list`: a tokenizer, a recursive-descent parser and the
predicates it builds.

    query   := or
    or      := and ("or" and)*
    and     := unary ("and" unary)*
    unary   := "not" unary | "(" query ")" | term
    term    := FIELD OP VALUE                     name contains 'x', trashed = false
             | STRING "in" COLLECTION             'folder-id' in parents
             | MAP "has" "{" "key" "=" STRING "and" "value" "=" STRING "}"

Strings are single-quoted; `\\'` and `\\\\` escape a quote and a backslash. Times are RFC 3339
(UTC when no offset is given). Which operators each field accepts follows Google's "Search
query terms and operators" table; anything else is a `QueryError` (answered 400 by the app).
Keywords are case-insensitive, field names are not.

`name contains` matches word prefixes, as Drive does: every word of the query must begin some
word of the name ("Services Agree" finds "Master Services Agreement", "greement" does not).
`fullText contains` matches whole words of the name and description.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sandbox.drive.files import OWNER_EMAIL, StoredFile


class QueryError(ValueError):
    pass


# --- tokens -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(){}])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_KEYWORDS = {"and", "or", "not", "in", "has", "contains", "true", "false"}


@dataclass(frozen=True)
class Token:
    kind: str  # string, op, punct, word, keyword, end
    text: str
    at: int

    @property
    def value(self) -> str:
        """A string token's content, unescaped; any other token's text."""
        if self.kind != "string":
            return self.text
        return _ESCAPE.sub(_unescape, self.text[1:-1])


def _unescape(match: re.Match[str]) -> str:
    char = match.group(1)
    if char not in ("'", "\\"):
        raise QueryError(f"invalid escape \\{char}")
    return char


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise QueryError(f"unexpected {text[position]!r} at {position}")
        kind = match.lastgroup or ""
        if kind == "word" and match.group().lower() in _KEYWORDS:
            tokens.append(Token("keyword", match.group().lower(), position))
        elif kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --- predicates ----------------------------------------------------------------------------


class Node:
    def matches(self, file: StoredFile) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class And(Node):
    left: Node
    right: Node

    def matches(self, file: StoredFile) -> bool:
        return self.left.matches(file) and self.right.matches(file)


@dataclass(frozen=True)
class Or(Node):
    left: Node
    right: Node

    def matches(self, file: StoredFile) -> bool:
        return self.left.matches(file) or self.right.matches(file)


@dataclass(frozen=True)
class Not(Node):
    operand: Node

    def matches(self, file: StoredFile) -> bool:
        return not self.operand.matches(file)


@dataclass(frozen=True)
class Compare(Node):
    """`field op value` on a text, time or boolean field."""

    field: str
    op: str
    value: object
    test: Callable[[StoredFile], bool]

    def matches(self, file: StoredFile) -> bool:
        return self.test(file)


@dataclass(frozen=True)
class In(Node):
    value: str
    collection: str

    def matches(self, file: StoredFile) -> bool:
        if self.collection == "parents":
            return self.value in file.parents
        # The sandbox's one user owns every file: it is "me", and every file's owner, writer
        # and reader.
        return self.value in ("me", OWNER_EMAIL)


@dataclass(frozen=True)
class Has(Node):
    map_name: str
    key: str
    value: str

    def matches(self, file: StoredFile) -> bool:
        values = file.app_properties if self.map_name == "appProperties" else file.properties
        return values.get(self.key) == self.value


def parents_constraint(node: Node | None) -> str | None:
    """The folder id of an `'id' in parents` that every match must satisfy, if there is one."""
    if isinstance(node, In) and node.collection == "parents":
        return node.value
    if isinstance(node, And):
        return parents_constraint(node.left) or parents_constraint(node.right)
    return None


def has_full_text(node: Node | None) -> bool:
    return any(isinstance(t, Compare) and t.field == "fullText" for t in iter_terms(node))


# --- fields and operators ------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_TEXT_OPS = {"contains", "=", "!="}
_TIME_OPS = {"<", "<=", "=", "!=", ">", ">="}
_BOOL_OPS = {"=", "!="}
_COLLECTIONS = {"parents", "owners", "writers", "readers"}
_MAPS = {"properties", "appProperties"}

TextGetter = Callable[[StoredFile], str]
TimeGetter = Callable[[StoredFile], datetime | None]
BoolGetter = Callable[[StoredFile], bool]

_TEXT_FIELDS: dict[str, tuple[set[str], TextGetter]] = {
    "name": (_TEXT_OPS, lambda f: f.name),
    "mimeType": (_TEXT_OPS, lambda f: f.mime_type),
    "fullText": ({"contains"}, lambda f: f"{f.name} {f.description or ''}"),
    "visibility": (_BOOL_OPS, lambda f: "limited"),
}
_TIME_FIELDS: dict[str, TimeGetter] = {
    "createdTime": lambda f: f.created_time,
    "modifiedTime": lambda f: f.modified_time,
    "viewedByMeTime": lambda f: None,
    "sharedWithMeTime": lambda f: None,
}
_BOOL_FIELDS: dict[str, BoolGetter] = {
    "trashed": lambda f: f.trashed,
    "starred": lambda f: f.starred,
    "sharedWithMe": lambda f: False,
}


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def name_contains(name: str, query: str) -> bool:
    wanted = _words(query)
    if not wanted:
        return query.casefold() in name.casefold()
    have = _words(name)
    return all(any(word.startswith(w) for word in have) for w in wanted)


def full_text_contains(text: str, query: str) -> bool:
    have = set(_words(text))
    wanted = _words(query)
    return bool(wanted) and all(w in have for w in wanted)


def parse_time(text: str) -> datetime:
    """An RFC 3339 date-time (or date); UTC when it carries no offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise QueryError(f"invalid date-time {text!r}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_TIME_TESTS: dict[str, Callable[[datetime, datetime], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _text_test(field: str, op: str, value: str, get: TextGetter) -> Callable[[StoredFile], bool]:
    if op == "=":
        return lambda f: get(f) == value
    if op == "!=":
        return lambda f: get(f) != value
    if field == "name":
        return lambda f: name_contains(get(f), value)
    if field == "fullText":
        return lambda f: full_text_contains(get(f), value)
    return lambda f: value in get(f)


def _time_test(op: str, value: datetime, get: TimeGetter) -> Callable[[StoredFile], bool]:
    compare = _TIME_TESTS[op]

    def test(file: StoredFile) -> bool:
        actual = get(file)
        return actual is not None and compare(actual, value)

    return test


def _bool_test(op: str, value: bool, get: BoolGetter) -> Callable[[StoredFile], bool]:
    return (lambda f: get(f) == value) if op == "=" else (lambda f: get(f) != value)


# --- parser --------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, folder_aliases: Mapping[str, str]) -> None:
        self.tokens = tokenize(text)
        self.position = 0
        self.folder_aliases = folder_aliases

    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.current
        self.position += 1
        return token

    def expect(self, kind: str, text: str | None = None) -> Token:
        token = self.advance()
        if token.kind != kind or (text is not None and token.text != text):
            wanted = text or kind
            raise QueryError(f"expected {wanted} at {token.at}, found {token.text or 'end'!r}")
        return token

    def at_keyword(self, word: str) -> bool:
        return self.current.kind == "keyword" and self.current.text == word

    def parse(self) -> Node:
        node = self.or_()
        self.expect("end")
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.at_keyword("or"):
            self.advance()
            node = Or(node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.unary()
        while self.at_keyword("and"):
            self.advance()
            node = And(node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at_keyword("not"):
            self.advance()
            return Not(self.unary())
        if self.current.kind == "punct" and self.current.text == "(":
            self.advance()
            node = self.or_()
            self.expect("punct", ")")
            return node
        return self.term()

    def term(self) -> Node:
        token = self.advance()
        if token.kind == "string":
            self.expect("keyword", "in")
            collection = self.expect("word").text
            if collection not in _COLLECTIONS:
                raise QueryError(f"cannot search {collection!r} with 'in'")
            if collection == "parents":
                return In(self.folder_aliases.get(token.value, token.value), collection)
            return In(token.value, collection)
        if token.kind != "word":
            raise QueryError(f"expected a query term at {token.at}, found {token.text!r}")
        if self.at_keyword("has"):
            return self.has(token.text)
        op = self.advance()
        if not (op.kind == "op" or (op.kind == "keyword" and op.text == "contains")):
            raise QueryError(f"expected an operator after {token.text!r} at {op.at}")
        return self.compare(token.text, op.text, self.advance())

    def has(self, map_name: str) -> Node:
        if map_name not in _MAPS:
            raise QueryError(f"cannot search {map_name!r} with 'has'")
        self.advance()
        self.expect("punct", "{")
        self.expect("word", "key")
        self.expect("op", "=")
        key = self.expect("string").value
        self.expect("keyword", "and")
        self.expect("word", "value")
        self.expect("op", "=")
        value = self.expect("string").value
        self.expect("punct", "}")
        return Has(map_name, key, value)

    def compare(self, field: str, op: str, value: Token) -> Node:
        if field in _TEXT_FIELDS:
            ops, text_getter = _TEXT_FIELDS[field]
            self.check(field, op, ops)
            text = self.string(value)
            return Compare(field, op, text, _text_test(field, op, text, text_getter))
        if field in _TIME_FIELDS:
            self.check(field, op, _TIME_OPS)
            moment = parse_time(self.string(value))
            return Compare(field, op, moment, _time_test(op, moment, _TIME_FIELDS[field]))
        if field in _BOOL_FIELDS:
            self.check(field, op, _BOOL_OPS)
            if value.kind != "keyword" or value.text not in ("true", "false"):
                raise QueryError(f"{field} takes true or false, not {value.text!r}")
            flag = value.text == "true"
            return Compare(field, op, flag, _bool_test(op, flag, _BOOL_FIELDS[field]))
        raise QueryError(f"unknown query term {field!r}")

    @staticmethod
    def check(field: str, op: str, allowed: set[str]) -> None:
        if op not in allowed:
            raise QueryError(f"{field} does not support the operator {op!r}")

    @staticmethod
    def string(token: Token) -> str:
        if token.kind != "string":
            raise QueryError(f"expected a quoted string at {token.at}, found {token.text!r}")
        return token.value


def parse_query(text: str, folder_aliases: Mapping[str, str] | None = None) -> Node | None:
    """The predicate of a `q` parameter; None for an empty one (everything matches).
    `folder_aliases` names folders by another id (Drive's `root`)."""
    if not text.strip():
        return None
    return _Parser(text, folder_aliases or {}).parse()


def iter_terms(node: Node | None) -> Iterator[Node]:
    if isinstance(node, And | Or):
        yield from iter_terms(node.left)
        yield from iter_terms(node.right)
    elif isinstance(node, Not):
        yield from iter_terms(node.operand)
    elif node is not None:
        yield node
