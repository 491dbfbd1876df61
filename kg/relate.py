"""Relations over the whole catalog: the graph model with concept and lecture links."""

from __future__ import annotations

import networkx as nx

from kg.graph import base_graph
from kg.records import Concept, Lecture, Mention


def relate(lectures: list[Lecture], concepts: dict[str, Concept], mentions: list[Mention], vocabulary) -> nx.MultiDiGraph:
    """The graph model of a catalog."""
    return base_graph(lectures, concepts, mentions)
