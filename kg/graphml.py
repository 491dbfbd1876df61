"""GraphML export for Gephi, Cytoscape and yEd: the graph model with plain attributes.

Streamed line by line (networkx's writer builds the whole XML tree in memory first,
which costs seconds and gigabytes on a 100,000-lecture catalog); the result reads back
with ``networkx.read_graphml``.
"""

from __future__ import annotations

import re
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx

from kg.graph import CONCEPT, COURSE, LECTURE, gc_paused

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
    nodes = graph._node
    ordered = sorted(nodes)
    # a node's quoted id is written once for the node and again for each of its edges
    quoted = {node: quoteattr(xml_safe(node)) for node in ordered}
    for node in ordered:
        data = nodes[node]
        attributes = node_attributes(data["kind"], data["record"])
        yield f"<node id={quoted[node]}>{_data('n', attributes)}</node>"
    # edges sorted by (source, target, key), read from the adjacency dicts in that
    # order rather than gathered into one list of millions and sorted
    # the parts of an edge line that recur: the id attribute and relation data of each
    # edge key, the weight data of each weight (a few hundred values)
    relation_parts = _Rendered(lambda key: " id=" + quoteattr(key) + ">" + _data("e", {"relation": key}))
    weight_parts = _Rendered(lambda weight: '<data key="e_weight">' + repr(float(weight)) + "</data>")
    for u in ordered:
        neighbours = graph._succ[u]
        if not neighbours:
            continue
        source = "<edge source=" + quoted[u] + " target="
        for v in sorted(neighbours):
            keys = neighbours[v]
            target = source + quoted[v]
            for key in sorted(keys) if len(keys) > 1 else keys:
                data = keys[key]
                weight = weight_parts[data.get("weight", 1.0)]
                if "position" in data:
                    position = repr(int(data["position"]))
                    yield f'{target}{relation_parts[key]}{weight}<data key="e_position">{position}</data></edge>'
                else:
                    yield f"{target}{relation_parts[key]}{weight}</edge>"
    yield "</graph>"
    yield "</graphml>"


class _Rendered(dict):
    """value -> its rendered text, rendered once; bounded."""

    def __init__(self, render):
        super().__init__()
        self._render = render

    def __missing__(self, value):
        if len(self) >= 4096:
            self.clear()
        text = self[value] = self._render(value)
        return text


def write_graphml(graph: nx.MultiDiGraph, folder: Path) -> list[str]:
    """Write ``graph.graphml`` into ``folder``; returns the file names written."""
    lines = graphml_lines(graph)
    with gc_paused(), open(folder / "graph.graphml", "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
        # a few thousand lines per write, taken from the generator in C (islice)
        while chunk := list(islice(lines, 4096)):
            chunk.append("")
            handle.write("\n".join(chunk))
    return ["graph.graphml"]
