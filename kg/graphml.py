"""GraphML export for Gephi, Cytoscape and yEd: the graph model with plain attributes."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx

from kg.graph import CONCEPT, COURSE, LECTURE

# characters XML 1.0 cannot carry at all, even escaped
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids.

    >>> xml_safe("a\x00b\x1fc")
    'abc'
    """
    return XML_INVALID.sub("", text)


def _node_attributes(kind: str, record) -> dict[str, str | int]:
    if kind == LECTURE:
        return {"kind": kind, "label": record.title, "number": record.number, "url": record.url,
                "date": record.date or "", "course": record.course_id or "", "language": record.language}
    if kind == CONCEPT:
        return {"kind": kind, "label": record.label("en"), "label_zh": record.label("zh"), "origin": record.origin}
    if kind == COURSE:
        return {"kind": kind, "label": record.name}
    return {"kind": kind, "label": str(record)}


def to_plain_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with only string and number attributes, as GraphML requires, in a
    deterministic order."""
    plain = nx.MultiDiGraph()
    for node in sorted(graph.nodes):
        data = graph.nodes[node]
        attributes = _node_attributes(data["kind"], data["record"])
        plain.add_node(xml_safe(node), **{k: xml_safe(v) if isinstance(v, str) else v for k, v in attributes.items()})
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        attributes = {"relation": key, "weight": float(data.get("weight", 1.0))}
        if "position" in data:
            attributes["position"] = int(data["position"])
        plain.add_edge(xml_safe(u), xml_safe(v), key=key, **attributes)
    return plain


def write_graphml(graph: nx.MultiDiGraph, folder: Path) -> list[str]:
    """Write ``graph.graphml`` into ``folder``; returns the file names written."""
    nx.write_graphml(to_plain_graph(graph), folder / "graph.graphml", encoding="utf-8")
    return ["graph.graphml"]
