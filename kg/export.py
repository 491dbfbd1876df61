"""Write every output of a build from the one graph model, each by its own exporter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

if TYPE_CHECKING:
    from kg.build import BuildOptions, StageTimer


def write_all(graph: nx.MultiDiGraph, folder: Path, options: "BuildOptions", timer: "StageTimer") -> list[str]:
    """Write the RDF dumps, the GraphML file and the HTML page into ``folder``;
    return the file names written."""
    from kg import graphml, html, rdf
    from kg.namespaces import DEFAULT_BASE

    files: list[str] = []
    with timer.stage("rdf"):
        files += rdf.write_rdf(graph, folder, base=options.base_iri or DEFAULT_BASE)
    with timer.stage("graphml"):
        files += graphml.write_graphml(graph, folder)
    with timer.stage("html"):
        files += html.write_html(graph, folder)
    return files
