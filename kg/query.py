"""SPARQL over a dump: run a query, bind parameters safely, format the results.

Used by ``kg query`` (in-process, pyoxigraph) and by ``kg serve`` (in worker processes)::

    >>> from kg.load import open_store                       # doctest: +SKIP
    >>> result = run_query(open_store("output"), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # doctest: +SKIP
    >>> print(format_result(result, "table"))                 # doctest: +SKIP
    n
    -----
    11923
    (1 row)

Canned queries live in ``ontology/queries/NAME.rq``. Their first comment lines describe
them; ``# param NAME [TYPE] [= DEFAULT]: description`` lines declare parameters, which
the query writes as ``$NAME``. A value is bound as one escaped SPARQL term (a string
literal, an integer or an IRI, by the declared type), never pasted as query text, so
``--param concept='x" } UNION { ?s ?p ?o } #'`` is just an odd concept label.

Results as SPARQL 1.1 JSON, CSV, TSV or XML (the W3C result formats, written here so
that the result-size limit can stop a query early), an aligned text table, or HTML.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path

from kg.rdf import clean_text, nt_string, safe_iri
from kg.resources import ontology_dir

FORMATS = ("table", "csv", "tsv", "json", "xml")
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class QueryError(Exception):
    """A query that cannot run: bad syntax (with line and column), unknown name,
    a missing or malformed parameter. The message is for people."""


class ResultTooLarge(QueryError):
    """More results than the configured limit."""


# ---------------------------------------------------------------- canned queries


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"  # string, integer or iri
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    description: str
    params: tuple[Param, ...] = ()

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


PARAM_LINE = re.compile(
    r"^#\s*param\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\s+(?P<type>string|integer|iri))?"
    r"(?:\s*=\s*(?P<default>[^:]*?))?\s*:\s*(?P<description>.*)$"
)


def parse_header(text: str) -> tuple[str, tuple[Param, ...]]:
    """The description and parameters declared in a query's leading comments.

    >>> parse_header("# Lectures of a course.\\n# param course: id or name\\n# param n integer = 5: how many\\nSELECT")
    ('Lectures of a course.', (Param(name='course', type='string', default=None, description='id or name'), Param(name='n', type='integer', default='5', description='how many')))
    """
    description, params = [], []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = PARAM_LINE.match(stripped)
        if match:
            params.append(Param(match["name"], match["type"] or "string", match["default"], match["description"].strip()))
        else:
            description.append(stripped.lstrip("#").strip())
    return " ".join(part for part in description if part), tuple(params)


def queries_dir() -> Path:
    return ontology_dir() / "queries"


def canned_queries() -> dict[str, CannedQuery]:
    """Every ``ontology/queries/*.rq`` by name (the file name without ``.rq``)."""
    found = {}
    for path in sorted(queries_dir().glob("*.rq")):
        description, params = parse_header(path.read_text(encoding="utf-8"))
        found[path.stem] = CannedQuery(path.stem, path, description, params)
    return found


def canned_query(name: str) -> CannedQuery:
    queries = canned_queries()
    if name not in queries:
        raise QueryError(f"no canned query named {name!r}; there are: {', '.join(queries) or 'none'} "
                         f"(kg query --list)")
    return queries[name]


# ---------------------------------------------------------------- binding parameters

# what must be skipped when looking for $name: IRIs, strings (long ones first), comments
_SKIP = re.compile(
    r"""<[^<>"{}|^`\\\x00-\x20]*>"""
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*\""""
    r"""|\#[^\n\r]*""",
    re.S,
)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def sparql_term(value: str, kind: str = "string") -> str:
    """``value`` as one SPARQL term of the declared type.

    >>> sparql_term('say "hi"'), sparql_term("20", "integer"), sparql_term("https://e.org/x", "iri")
    ('"say \\\\"hi\\\\""', '20', '<https://e.org/x>')
    """
    if kind == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", value.strip()):
            raise QueryError(f"{value!r} is not an integer")
        return str(int(value))
    if kind == "iri":
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S", value):
            raise QueryError(f"{value!r} is not an absolute IRI")
        return "<" + safe_iri(value) + ">"
    return nt_string(clean_text(value))


def bind_parameters(text: str, values: dict[str, str], declared: tuple[Param, ...] = ()) -> str:
    """``text`` with every ``$name`` outside IRIs, strings and comments replaced by the
    escaped term of its value (declared default when no value is given).

    >>> bind_parameters('SELECT * { ?s ?p $x } # $x', {"x": 'a"b'})
    'SELECT * { ?s ?p "a\\\\"b" } # $x'
    """
    types = {param.name: param.type for param in declared}
    merged = {param.name: param.default for param in declared if param.default is not None}
    merged.update(values)
    unknown = sorted(set(values) - set(types)) if declared else []
    if unknown:
        raise QueryError(f"unknown parameter {', '.join(unknown)}; this query takes: "
                         + ", ".join(p.name for p in declared))
    terms = {name: sparql_term(value, types.get(name, "string")) for name, value in merged.items()}
    used: set[str] = set()
    out, position = [], 0

    def substitute(chunk: str) -> str:
        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name in terms:
                used.add(name)
                return terms[name]
            if name in types:
                raise QueryError(f"parameter {name} is required (--param {name}=VALUE)")
            return match.group(0)

        return _PARAM.sub(replace, chunk)

    for match in _SKIP.finditer(text):
        out.append(substitute(text[position:match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(substitute(text[position:]))
    missing = sorted(set(values) - used)
    if missing:
        raise QueryError(f"the query has no ${missing[0]} to bind (--param {missing[0]}=…)")
    return "".join(out)


def parse_params(pairs: list[str] | None) -> dict[str, str]:
    """``["k=v", …]`` -> ``{"k": "v"}``."""
    values = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name.strip()):
            raise QueryError(f"--param takes NAME=VALUE, not {pair!r}")
        values[name.strip()] = value
    return values


# ---------------------------------------------------------------- running


@dataclass
class QueryResult:
    """A SELECT (variables, rows of terms or None), ASK (boolean) or
    CONSTRUCT/DESCRIBE (triples) result."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples) if self.kind == "graph" else 1


def syntax_message(error: Exception) -> str:
    """The parser's message, with line and column (pyoxigraph says 'error at L:C: …')."""
    message = str(error).strip()
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if match:
        return f"line {match[1]}, column {match[2]}: {match[3]}"
    return message


def run_query(store, text: str, max_results: int | None = None) -> QueryResult:
    """Run a SPARQL 1.1 query; :class:`QueryError` on bad syntax, :class:`ResultTooLarge`
    when it yields more than ``max_results`` rows or triples. Updates are refused."""
    import pyoxigraph as ox

    try:
        answer = store.query(text)
    except SyntaxError as error:
        if re.search(r"^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(?:INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                     _strip_comments(text), re.I):
            raise QueryError("updates are not allowed: the graph is read-only (rebuild it with `kg build`)") from None
        raise QueryError(f"invalid SPARQL: {syntax_message(error)}") from None
    except (OSError, RuntimeError, ValueError) as error:
        raise QueryError(f"query failed: {error}") from None
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(answer))
    limit = max_results if max_results is not None else -1
    try:
        if isinstance(answer, ox.QuerySolutions):
            variables = [variable.value for variable in answer.variables]
            rows = []
            for solution in answer:
                if len(rows) == limit:
                    raise ResultTooLarge(f"the result has more than {limit} rows; add a LIMIT")
                rows.append(tuple(solution[i] for i in range(len(variables))))
            return QueryResult("select", variables=variables, rows=rows)
        triples = []
        for triple in answer:
            if len(triples) == limit:
                raise ResultTooLarge(f"the result has more than {limit} triples; add a LIMIT")
            triples.append(triple)
        return QueryResult("graph", triples=triples)
    except (OSError, RuntimeError, ValueError, SyntaxError) as error:
        raise QueryError(f"query failed: {error}") from None


def _strip_comments(text: str) -> str:
    return "".join(m.group(0) if not m.group(0).startswith("#") else " " for m in re.finditer(r"#[^\n]*|[^#]+", text))


# ---------------------------------------------------------------- terms


def term_json(term) -> dict:
    """A term in the SPARQL 1.1 JSON results format."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject), "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    return {"type": "literal", "value": str(term)}


def term_plain(term) -> str:
    """A term as CSV writes it: the IRI, the lexical form, or ``_:label``."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def term_nt(term) -> str:
    """A term in N-Triples syntax (TSV results)."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return "<" + term.value + ">"
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        text = nt_string(clean_text(term.value))
        if term.language:
            return text + "@" + term.language
        if term.datatype.value != XSD_STRING:
            return text + "^^<" + term.datatype.value + ">"
        return text
    return str(term)


# ---------------------------------------------------------------- formats

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return html_escape(_XML_INVALID.sub("", text), quote=True)


def to_json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [{name: term_json(term) for name, term in zip(result.variables, row) if term is not None}
                for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def to_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([term_plain(term) for term in row])
    return buffer.getvalue()


def to_tsv(result: QueryResult) -> str:
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + name for name in result.variables)]
    lines += ["\t".join(term_nt(term) for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if result.kind == "ask":
        out += ["</head>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f'<variable name="{_xml(name)}"/>' for name in result.variables]
    out += ["</head>", "<results>"]
    for row in result.rows:
        out.append("<result>")
        for name, term in zip(result.variables, row):
            if term is None:
                continue
            data = term_json(term)
            if data["type"] == "uri":
                inner = f"<uri>{_xml(data['value'])}</uri>"
            elif data["type"] == "bnode":
                inner = f"<bnode>{_xml(data['value'])}</bnode>"
            else:
                attrs = ""
                if "xml:lang" in data:
                    attrs = f' xml:lang="{_xml(data["xml:lang"])}"'
                elif "datatype" in data:
                    attrs = f' datatype="{_xml(data["datatype"])}"'
                inner = f"<literal{attrs}>{_xml(str(data['value']))}</literal>"
            out.append(f'<binding name="{_xml(name)}">{inner}</binding>')
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def graph_bytes(result: QueryResult, media_type: str = "text/turtle", prefixes: dict[str, str] | None = None) -> bytes:
    """CONSTRUCT/DESCRIBE triples in an RDF syntax, by media type."""
    import pyoxigraph as ox

    rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
    prefixes = prefixes or default_prefixes()
    kwargs = {"prefixes": prefixes} if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else {}
    return ox.serialize(result.triples, format=rdf_format, **kwargs)


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _cut(text: str, width: int) -> str:
    """``text`` on one line, at most ``width`` columns wide."""
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        step = display_width(char)
        if used + step > width - 1:
            break
        out.append(char)
        used += step
    return "".join(out) + "…"


class ShortNames:
    """IRIs as ``prefix:local`` for tables, with the dump's prefixes."""

    def __init__(self, prefixes: dict[str, str] | None = None):
        from kg.rdf import Compactor

        self.compact = Compactor(prefixes or default_prefixes())

    def __call__(self, term) -> str:
        import pyoxigraph as ox

        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.compact(term.value) or term.value
        return term_plain(term)


def default_prefixes(base: str | None = None) -> dict[str, str]:
    from kg.namespaces import DEFAULT_BASE
    from kg.rdf import Iris, prefixes

    return prefixes(Iris(base or DEFAULT_BASE))


def to_table(result: QueryResult, prefixes: dict[str, str] | None = None, max_width: int = 60) -> str:
    """An aligned text table for people (wide CJK characters count double)."""
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    if result.kind == "graph":
        return graph_bytes(result, "text/turtle", prefixes).decode("utf-8")
    short = ShortNames(prefixes)
    cells = [[_cut(short(term), max_width) for term in row] for row in result.rows]
    widths = [display_width(name) for name in result.variables]
    for row in cells:
        widths = [max(width, display_width(cell)) for width, cell in zip(widths, row)]

    def line(values: list[str]) -> str:
        return "  ".join(value + " " * (width - display_width(value)) for value, width in zip(values, widths)).rstrip()

    out = [line(result.variables), "  ".join("-" * width for width in widths)]
    out += [line(row) for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)


def to_html(result: QueryResult, prefixes: dict[str, str] | None = None) -> str:
    """An HTML fragment (a table), every value escaped."""
    if result.kind == "ask":
        return f"<p class=boolean>{'true' if result.boolean else 'false'}</p>"
    if result.kind == "graph":
        return "<pre>" + html_escape(graph_bytes(result, "text/turtle", prefixes).decode("utf-8")) + "</pre>"
    short = ShortNames(prefixes)
    out = ["<table>", "<tr>" + "".join(f"<th>{html_escape(v)}</th>" for v in result.variables) + "</tr>"]
    for row in result.rows:
        cells = []
        for term in row:
            text = html_escape(short(term))
            if term is not None and term_json(term)["type"] == "uri" and re.match(r"https?://", term.value):
                text = f'<a href="{html_escape(term.value, quote=True)}">{text}</a>'
            cells.append(f"<td>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    out.append(f"<p>{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}</p>")
    return "\n".join(out)


def format_result(result: QueryResult, fmt: str = "table", prefixes: dict[str, str] | None = None) -> str:
    """The result as text in one of :data:`FORMATS`. CONSTRUCT/DESCRIBE results come as
    Turtle (table), N-Triples (csv, tsv), JSON-LD (json) or RDF/XML (xml)."""
    if fmt not in FORMATS:
        raise QueryError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if result.kind == "graph":
        media = {"table": "text/turtle", "csv": "application/n-triples", "tsv": "application/n-triples",
                 "json": "application/ld+json", "xml": "application/rdf+xml"}[fmt]
        return graph_bytes(result, media, prefixes).decode("utf-8")
    if fmt == "table":
        return to_table(result, prefixes)
    return {"csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}[fmt](result)


def dump_prefixes(store) -> dict[str, str]:
    """The prefixes of the dump in ``store`` (its base read from void:uriSpace)."""
    try:
        rows = list(store.query("SELECT ?base WHERE { ?d <http://rdfs.org/ns/void#uriSpace> ?base } LIMIT 1"))
    except Exception:  # an unusual store: fall back on the default base
        rows = []
    return default_prefixes(rows[0]["base"].value if rows else None)
