"""GraphML export for Gephi, Cytoscape and yEd: the graph model with plain attributes.

Streamed line by line (networkx's writer builds the whole XML tree in memory first,
which costs seconds and gigabytes on a 100,000-lecture catalog); the result reads back
with ``networkx.read_graphml``.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx

from kg.graph import CONCEPT, COURSE, LECTURE

# characters XML 1.0 cannot carry at all, even escaped
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

NODE_KEYS = (("kind", "string"), ("label", "string"), ("label_zh", "string"), ("number", "int"), ("url", "string"),
             ("date", "string"), ("course", "string"), ("language", "string"), ("origin", "string"))
EDGE_KEYS = (("relation", "string"), ("weight", "double"), ("position", "int"))


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids.

    >>> xml_safe("a\\x00b\\x1fc")
    'abc'
    """
    return XML_INVALID.sub("", text)


def node_attributes(kind: str, record) -> dict[str, str | int]:
    """The plain attributes of one node, by kind."""
    if kind == LECTURE:
        return {"kind": kind, "label": record.title, "number": record.number, "url": record.url,
                "date": record.date or "", "course": record.course_id or "", "language": record.language}
    if kind == CONCEPT:
        return {"kind": kind, "label": record.label("en"), "label_zh": record.label("zh"), "origin": record.origin}
    if kind == COURSE:
        return {"kind": kind, "label": record.name}
    return {"kind": kind, "label": str(record)}


def _data(prefix: str, attributes: dict) -> str:
    parts = []
    for name, value in attributes.items():
        text = xml_safe(value) if isinstance(value, str) else repr(value)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts.append(f'<data key="{prefix}_{name}">{text}</data>')
    return "".join(parts)


def graphml_lines(graph: nx.MultiDiGraph):
    """The GraphML document, line by line, in a deterministic order."""
    yield '<?xml version="1.0" encoding="UTF-8"?>'
    yield ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')
    for name, kind in NODE_KEYS:
        yield f'<key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>'
    for name, kind in EDGE_KEYS:
        yield f'<key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>'
    yield '<graph edgedefault="directed">'
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        attributes = node_attributes(data["kind"], data["record"])
        yield f"<node id={quoteattr(xml_safe(node))}>{_data('n', attributes)}</node>"
    edges = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    for u, v, key, data in edges:
        attributes = {"relation": key, "weight": float(data.get("weight", 1.0))}
        if "position" in data:
            attributes["position"] = int(data["position"])
        yield (f"<edge source={quoteattr(xml_safe(u))} target={quoteattr(xml_safe(v))} id={quoteattr(key)}>"
               f"{_data('e', attributes)}</edge>")
    yield "</graph>"
    yield "</graphml>"


def write_graphml(graph: nx.MultiDiGraph, folder: Path) -> list[str]:
    """Write ``graph.graphml`` into ``folder``; returns the file names written."""
    with open(folder / "graph.graphml", "w", encoding="utf-8", newline="\n") as handle:
        for line in graphml_lines(graph):
            handle.write(line + "\n")
    return ["graph.graphml"]
