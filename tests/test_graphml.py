"""GraphML export reads back in networkx with the same nodes and edges."""

from __future__ import annotations

import networkx as nx

from kg.graph import base_graph, concept_id, lecture_id
from kg.graphml import write_graphml
from kg.records import Concept, Lecture, Mention


def test_graphml_round_trips_with_hostile_text(tmp_path):
    hostile = 'A "quote" <script>alert(1)</script> & \x00\x1f\\ back'
    lectures = [Lecture(1, hostile, "abcdefghijk", "x.md", 1), Lecture(2, "Two", "bbbbbbbbbbb", "x.md", 9)]
    concepts = {"lora": Concept("lora", (("en", "LoRA"), ("zh-Hant", "低秩適應")))}
    mentions = [Mention("abcdefghijk", "lora", "about", 0.9, "title", hostile)]
    graph = base_graph(lectures, concepts, mentions)
    write_graphml(graph, tmp_path)
    back = nx.read_graphml(tmp_path / "graph.graphml", force_multigraph=True)
    assert set(back.nodes) == set(graph.nodes)
    assert back.nodes[lecture_id("abcdefghijk")]["label"] == 'A "quote" <script>alert(1)</script> &  back'.replace("  back", " \\ back")
    assert back.nodes[concept_id("lora")]["label_zh"] == "低秩適應"
    edges = {(u, v, d["relation"]) for u, v, d in back.edges(data=True)}
    assert (lecture_id("abcdefghijk"), concept_id("lora"), "about") in edges


def test_graphml_edges_keep_weights_and_positions(tmp_path):
    from kg.graph import Course, course_id

    lectures = [Lecture(1, "One", "aaaaaaaaaaa", "x.md", 1), Lecture(2, "Two", "bbbbbbbbbbb", "x.md", 9)]
    concepts = {"lora": Concept("lora", (("en", "LoRA"),)), "bert": Concept("bert", (("en", "BERT"),))}
    mentions = [Mention("aaaaaaaaaaa", "lora", "about", 0.9, "title", "One"),
                Mention("bbbbbbbbbbb", "lora", "mentions", 1e-05, "", ""),
                Mention("bbbbbbbbbbb", "bert", "mentions", 1, "", "")]
    graph = base_graph(lectures, concepts, mentions)
    graph.add_node(course_id("c"), kind="course", record=Course("c", "Course"))
    graph.add_edge(lecture_id("bbbbbbbbbbb"), course_id("c"), key="part_of", weight=1.0, provenance="title", position=7)
    write_graphml(graph, tmp_path)
    back = nx.read_graphml(tmp_path / "graph.graphml", force_multigraph=True)
    written = {(u, v, d["relation"]): (d["weight"], d.get("position")) for u, v, d in back.edges(data=True)}
    assert written == {(u, v, key): (float(d.get("weight", 1.0)), d.get("position"))
                       for u, v, key, d in graph.edges(keys=True, data=True)}
    assert written[(lecture_id("bbbbbbbbbbb"), course_id("c"), "part_of")] == (1.0, 7)
