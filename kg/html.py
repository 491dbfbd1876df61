"""The interactive page ``graph.html``: find a concept, see its lectures, plan a study path.

pyvis makes the network (nodes, edges and vis-network options) and Jinja renders the page
from the project's own template, ``kg/templates/graph.html.j2``, with autoescape on. The
template inlines everything: vis-network (taken from the installed pyvis package), the
page's style and script (``graph.css``, ``graph.js``) and the data as JSON, so the file
opens from disk and asks no server for anything. Its Content-Security-Policy says so to
the browser as well: only the page's own two scripts may run (by hash) and only YouTube
thumbnails may load, and only when the reader hovers a lecture.

Scale: what is drawn first is an overview, the most important concepts (by the lectures
that treat them) and their main lectures, at most :data:`OVERVIEW_NODES` nodes. The rest
of what the page offers (search, concept details, study paths) is data, drawn on demand.
For a huge catalog the offer itself is capped (:data:`OFFERED_CONCEPTS` concepts, each
with at most :data:`LECTURES_PER_CONCEPT` lectures), so the page stays a few megabytes.

Study paths are computed here, at build time, by :func:`kg.paths.study_path`, the function
``kg path`` uses (through :func:`kg.paths.bounded_study_paths`, which gives the same
paths for all languages at once); the page's script only displays them.

Safety: catalog text (titles, labels, summaries, snippets) reaches the page only as JSON
in ``<script type="application/json">`` blocks, with ``<``, ``>``, ``&``, U+2028 and
U+2029 escaped so that nothing can close the block; the script puts it into the page with
``textContent`` and DOM properties, never as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from kg.deferred import deferred_import
from kg.graph import CONCEPT, COURSE, LECTURE, gc_paused
from kg.normalize import SPACE_LIKE, comparable, fold
from kg.paths import bounded_study_paths, study_path

# pyvis imports IPython.display (about 0.3 s) only for notebooks: a stand-in takes its place
with deferred_import("IPython", "IPython.display", "IFrame"):
    import pyvis.network
from pyvis.edge import Edge  # noqa: E402 (after pyvis.network, which the stand-in must precede)

PAGE = "graph.html"
TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "graph.html.j2"
HEADING = "Lecture knowledge graph"

# what is drawn when the page opens
OVERVIEW_CONCEPTS = 40
OVERVIEW_LECTURES_PER_CONCEPT = 8
OVERVIEW_NODES = 260
# what the page offers at all (search, details, paths), for catalogs of any size
OFFERED_CONCEPTS = 1500
LECTURES_PER_CONCEPT = 40
OFFERED_LECTURES = 3000  # up to this many, every lecture is searchable; beyond, those the concepts list
PATH_STEPS = 40  # a longer path is shown as `kg path --max 40` shows it (huge catalogs only)
EXCERPT_CHARS = 220
SNIPPET_CHARS = 150
SHORT_TITLE_CHARS = 24
ALT_LABELS_SHOWN = 6
# a broader concept above this share of all concepts (AI, ML) is too general to be an area
GENERIC_SHARE = 0.3
# physics: bounded stabilisation, then the script turns physics off
STABILIZATION_ITERATIONS = 180

AREA_COLORS = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948",
               "#ff9da7", "#9c755f", "#2f9e9e", "#8c6bb1", "#d4a017")
GENERAL_COLOR = "#5b6b7f"  # the generic hub concepts (AI, machine learning)
OTHER_COLOR = "#a7b1bd"  # concepts outside the coloured areas
COURSE_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#c49a00", "#a6761d",
                 "#1f78b4", "#6a3d9a", "#b15928", "#33a02c", "#fb6a4a")
NO_COURSE_COLOR = "#8896a6"


def _edge_color(color: str) -> dict[str, Any]:
    """The same colour whether the edge is plain, selected or hovered (vis-network would
    otherwise draw selected edges grey)."""
    return {"color": color, "highlight": color, "hover": color, "inherit": False}


ARROW = {"to": {"enabled": True, "scaleFactor": 0.6}}
NO_ARROW = {"to": {"enabled": False}}
# relations drawn, in legend order: (relation, legend text, vis-network edge options).
# Every arrow reads in learning order: prerequisite -> concept, part 1 -> part 2.
EDGE_STYLES: dict[str, tuple[str, dict[str, Any]]] = {
    "about": ("main topic", {"color": _edge_color("#8e9cae"), "width": 1.3, "arrows": NO_ARROW}),
    "mentions": ("mentions", {"color": _edge_color("#cbd3dc"), "width": 0.6, "dashes": [2, 4], "arrows": NO_ARROW,
                              "physics": False}),
    "requires": ("prerequisite", {"color": _edge_color("#d1495b"), "width": 1.6, "arrows": ARROW}),
    "broader": ("broader", {"color": _edge_color("#8c6bb1"), "width": 1.2, "dashes": [7, 4], "arrows": ARROW}),
    "related": ("related", {"color": _edge_color("#2f9e9e"), "width": 1.1, "dashes": [1, 4], "arrows": NO_ARROW,
                            "physics": False}),
    "next_part": ("next part", {"color": _edge_color("#2b6cb0"), "width": 2.0, "arrows": ARROW}),
    "translation_of": ("translation", {"color": _edge_color("#9aa5b1"), "width": 1.0, "dashes": [5, 3],
                                       "arrows": NO_ARROW}),
}
RELATIONS = list(EDGE_STYLES)
# drawn only when the reader asks (legend): there are many, and they say the least
HIDDEN_AT_FIRST = ("mentions", "related")
PATH_STYLE = {"color": _edge_color("#f08c00"), "width": 4, "arrows": ARROW, "dashes": False, "physics": False}
# drawn from the second node to the first, so that the arrow reads "learn this first"
REVERSED = frozenset({"requires"})
TRANSITIVE = frozenset({"requires", "broader"})
LECTURE_LINKS = ("about", "mentions")
CONCEPT_LINKS = ("requires", "broader", "related")
LANGUAGES = ("zh", "en")

FONT = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK TC', 'PingFang TC', 'Microsoft JhengHei', sans-serif"

Planner = Callable[..., list]


# ---------------------------------------------------------------------------- entry point


def write_html(graph: nx.MultiDiGraph, folder: Path, plan: Planner | None = None) -> list[str]:
    """Write ``graph.html`` into ``folder``; return the file names written.

    ``plan`` is the study-path function, :func:`kg.paths.study_path` unless given.
    """
    if plan is None:
        plan = study_path
    with gc_paused():
        page = page_data(graph, plan)
        text = render_page(page)
    # a lone surrogate in some title must not stop the build: it becomes U+FFFD
    (Path(folder) / PAGE).write_text(text, encoding="utf-8", errors="replace")
    return [PAGE]


# ---------------------------------------------------------------------------- reading the graph


@dataclass(slots=True)
class Link:
    """A lecture–concept edge (one of the strongest of its concept)."""

    lecture: str
    concept: str
    relation: str  # "about" or "mentions"
    weight: float
    order: tuple  # the lecture's catalog order
    data: dict  # the edge's attributes

    @property
    def snippet(self) -> str:
        """The text around the strongest mention (read only for the links the page lists)."""
        mentions = self.data.get("mentions") or ()
        return mentions[0].snippet if mentions else ""


# the links kept of each concept, the strongest (main topics before mentions, heavier
# first, then catalog order): as many as the page lists or draws first
STRONGEST = max(LECTURES_PER_CONCEPT, OVERVIEW_LECTURES_PER_CONCEPT)


@dataclass(slots=True)
class LectureLinks:
    """What a lecture links to, from one look at its edges."""

    about: list[str]  # concepts, heavier links first (then by id)
    mentions: list[str]  # concepts, heavier links first (then by id)
    course: str  # the course it is part of, "" for none
    next_parts: list[str]  # lectures
    originals: list[str]  # the lectures it is a translation of


@dataclass(slots=True)
class GraphView:
    """What the page needs from the graph.

    A big catalog has a million lecture–concept links, and the page lists a few dozen
    per concept: :func:`read_graph` reads each link once, to count it and to keep the
    :data:`STRONGEST` of each concept. What the lectures the page offers link to is
    read from the graph when asked (and remembered).
    """

    graph: nx.MultiDiGraph
    lectures: dict[str, Any] = field(default_factory=dict)  # node id -> Lecture
    concepts: dict[str, Any] = field(default_factory=dict)  # node id -> Concept
    courses: dict[str, Any] = field(default_factory=dict)  # node id -> Course
    link_counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # concept -> (about, mentions) links
    strongest: dict[str, list[Link]] = field(default_factory=dict)  # concept -> its STRONGEST links, strongest first
    concept_edges: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # relation -> (u, v)
    requires_provenance: dict[tuple[str, str], str] = field(default_factory=dict)
    _lecture_links: dict[str, LectureLinks] = field(default_factory=dict)
    _position: dict[str, int] = field(default_factory=dict)

    def neighbours(self, relation: str, forward: bool = True) -> dict[str, list[str]]:
        """{u: [v, …]} of a concept relation (``forward=False``: {v: [u, …]})."""
        found: dict[str, list[str]] = {}
        for u, v in self.concept_edges.get(relation, ()):
            if forward:
                found.setdefault(u, []).append(v)
            else:
                found.setdefault(v, []).append(u)
        return found

    def lecture_links(self, lecture: str) -> LectureLinks:
        """The concepts, course, next parts and originals of a lecture."""
        found = self._lecture_links.get(lecture)
        if found is None:
            found = self._lecture_links[lecture] = LectureLinks([], [], "", [], [])
            concepts, lectures = self.concepts, self.lectures
            about: list[tuple[float, str]] = []
            mentions: list[tuple[float, str]] = []
            for node, keys in self.graph._succ[lecture].items():
                if node in concepts:
                    data = keys.get("about")
                    if data is not None:
                        about.append((-float(data.get("weight", 1.0)), node))
                    data = keys.get("mentions")
                    if data is not None:
                        mentions.append((-float(data.get("weight", 1.0)), node))
                elif node in lectures:
                    if "next_part" in keys:
                        found.next_parts.append(node)
                    if "translation_of" in keys:
                        found.originals.append(node)
                elif "part_of" in keys and node in self.courses:
                    found.course = node
            found.about = [concept for _, concept in sorted(about)]
            found.mentions = [concept for _, concept in sorted(mentions)]
        return found

    def linked_to(self, lecture: str, relation: str) -> list[str]:
        """The lectures that link to this one by ``relation``, in the graph's node order."""
        lectures = self.lectures
        found = [node for node, keys in self.graph._pred[lecture].items() if relation in keys and node in lectures]
        if len(found) > 1:
            if not self._position:
                self._position.update((node, i) for i, node in enumerate(self.graph._node))
            found.sort(key=self._position.__getitem__)
        return found


def read_graph(graph: nx.MultiDiGraph) -> GraphView:
    """Sort the graph's nodes by kind; count and rank each concept's links to lectures;
    gather the links between concepts.

    Reads networkx's adjacency dicts (``_succ``: node -> neighbour -> edge key ->
    attributes), not its edge views, which cost more than everything else here on a
    100,000-lecture catalog; and it reads them lecture by lecture, where they lie
    together in memory: read concept by concept, the same links take four times as long.
    """
    view = GraphView(graph)
    by_kind = {LECTURE: view.lectures, CONCEPT: view.concepts, COURSE: view.courses}
    for node, data in graph._node.items():
        records = by_kind.get(data.get("kind"))
        if records is not None:
            records[node] = data.get("record")
    lectures, concepts, succ = view.lectures, view.concepts, graph._succ
    # each concept's links, (lectures, weights) by relation, gathered in catalog order
    # so that a stable sort by weight ranks them as the page does: heavier first, then
    # catalog order
    about: dict[str, tuple[list[str], list[float]]] = {concept: ([], []) for concept in concepts}
    mentions: dict[str, tuple[list[str], list[float]]] = {concept: ([], []) for concept in concepts}
    for lecture in sorted(lectures, key=lambda node: lecture_order(lectures[node])):
        for concept, keys in succ[lecture].items():
            if concept in concepts:
                data = keys.get("about")
                if data is not None:
                    linked, weights = about[concept]
                    linked.append(lecture)
                    weights.append(float(data.get("weight", 1.0)))
                data = keys.get("mentions")
                if data is not None:
                    linked, weights = mentions[concept]
                    linked.append(lecture)
                    weights.append(float(data.get("weight", 1.0)))
    for concept in concepts:
        kept: list[Link] = []
        for relation, (linked, weights) in (("about", about[concept]), ("mentions", mentions[concept])):
            if len(kept) < STRONGEST:  # main topics first
                best = sorted(range(len(weights)), key=weights.__getitem__, reverse=True)[:STRONGEST - len(kept)]
                kept += [Link(linked[i], concept, relation, weights[i], lecture_order(lectures[linked[i]]),
                              succ[linked[i]][concept][relation]) for i in best]
        view.link_counts[concept] = (len(about[concept][0]), len(mentions[concept][0]))
        view.strongest[concept] = kept
        for other, keys in succ[concept].items():
            if other in concepts:
                for relation, data in keys.items():
                    if relation in CONCEPT_LINKS:
                        view.concept_edges.setdefault(relation, []).append((concept, other))
                        if relation == "requires":
                            view.requires_provenance[(concept, other)] = str(data.get("provenance", ""))
    return view


def importance(view: GraphView) -> dict[str, float]:
    """How central each concept is: lectures about it count twice, mentions once (0,
    an int, for a concept no lecture links to: what the page has always said)."""
    return {concept: 2.0 * about + mentions if about or mentions else 0
            for concept, (about, mentions) in view.link_counts.items()}


def ranked_concepts(view: GraphView, weight: dict[str, float]) -> list[str]:
    """Concepts, most important first (ties by id, for a deterministic page)."""
    return sorted(view.concepts, key=lambda concept: (-weight[concept], concept))


# ---------------------------------------------------------------------------- areas


def ancestors_by_concept(broader: Iterable[tuple[str, str]], concepts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Every broader concept of each concept, transitively (cycles tolerated).

    >>> sorted(ancestors_by_concept([("a", "b"), ("b", "c")], "abc")["a"])
    ['b', 'c']
    """
    parents: dict[str, list[str]] = {}
    for child, parent in broader:
        parents.setdefault(child, []).append(parent)
    result: dict[str, frozenset[str]] = {}
    for start in concepts:
        # post-order walk: a concept's ancestors are done once all its parents are
        stack, on_stack = [start], {start}
        while stack:
            concept = stack[-1]
            pending = [p for p in parents.get(concept, ()) if p not in result and p not in on_stack]
            if pending:
                stack.extend(pending)
                on_stack.update(pending)
                continue
            stack.pop()
            on_stack.discard(concept)
            if concept in result:
                continue
            found: set[str] = set()
            for parent in parents.get(concept, ()):
                if parent != concept:
                    found.add(parent)
                    found |= result.get(parent, frozenset())  # absent only on a cycle
            found.discard(concept)
            result[concept] = frozenset(found)
    return {concept: result[concept] for concept in concepts}


def concept_areas(ancestors: dict[str, frozenset[str]], generic_share: float = GENERIC_SHARE) -> dict[str, str | None]:
    """The area of each concept: its top-level broader concept, skipping the hubs so
    general that they would put everything in one area (artificial intelligence,
    machine learning). A hub itself gets the area ``""`` (general); a concept with no
    broader concept and none under it gets ``None``.

    >>> tree = ancestors_by_concept([("ml", "ai"), ("rl", "ml"), ("pg", "rl"), ("ac", "pg"), ("cv", "ai")],
    ...                             ["ai", "ml", "rl", "pg", "ac", "cv", "lone"])
    >>> areas = concept_areas(tree, generic_share=0.4)
    >>> areas["ac"], areas["ai"], areas["cv"], areas["lone"]
    ('rl', '', 'cv', None)
    """
    below: dict[str, int] = {}
    for found in ancestors.values():
        for ancestor in found:
            below[ancestor] = below.get(ancestor, 0) + 1
    limit = generic_share * max(1, len(ancestors))
    generic = {concept for concept, count in below.items() if count > limit}
    areas: dict[str, str | None] = {}
    for concept, found in ancestors.items():
        if concept in generic:
            areas[concept] = ""
            continue
        candidates = [a for a in found if a not in generic] + [concept]
        best = max(candidates, key=lambda a: (below.get(a, 0), a))
        areas[concept] = best if below.get(best, 0) or found else None
    return areas


def area_palette(areas: dict[str, str | None], weight: dict[str, float]) -> dict[str, str]:
    """A colour for each of the heaviest areas (by the importance of their concepts);
    the others share :data:`OTHER_COLOR`."""
    total: dict[str, float] = {}
    for concept, area in areas.items():
        if area:
            total[area] = total.get(area, 0.0) + weight.get(concept, 0.0) + 0.01
    ranked = sorted(total, key=lambda area: (-total[area], area))
    return dict(zip(ranked, AREA_COLORS))


# ---------------------------------------------------------------------------- text for the page


def pref_label(concept, lang: str) -> str | None:
    """The preferred label in exactly ``lang`` (``zh`` matches zh-Hant, zh-Hans …)."""
    for tag, text in concept.labels:
        if tag == lang or tag.startswith(lang + "-"):
            return text
    return None


def main_labels(concept) -> tuple[str, str | None]:
    """(English label, Chinese label) of a concept, as its node and its panel show them."""
    return pref_label(concept, "en") or concept.label("en"), pref_label(concept, "zh")


def concept_labels(concept) -> tuple[str, str | None, list[str]]:
    """(English label, Chinese label, other labels: abbreviations first, then variants
    that differ by more than script, case or number).

    >>> from kg.records import Concept
    >>> concept_labels(Concept("dm", (("en", "Diffusion Model"), ("zh-Hant", "擴散模型")),
    ...                        (("en", "Diffusion Models"), ("zh-Hans", "扩散模型"), ("en", "DDPM"))))
    ('Diffusion Model', '擴散模型', ['DDPM'])
    """
    english, chinese = main_labels(concept)
    # one label per way of writing: not the Simplified twin of a Traditional label, nor a plural
    seen = {comparable(text) for text in (english, chinese) if text}
    others: list[str] = []
    for _, text in concept.alt_labels:
        key = comparable(text)
        if key not in seen:
            seen.add(key)
            others.append(text)
    # abbreviations first: they are what people type
    others.sort(key=lambda text: (not _is_abbreviation(text), len(text)))
    return english, chinese, others


def _is_abbreviation(text: str) -> bool:
    return len(text) <= 6 and text.replace("-", "").isalnum() and any(ch.isupper() for ch in text)


def search_keys(texts: Iterable[str]) -> list[str]:
    """The forms a query is matched against, so that the page need only apply NFKC,
    lower case and space folding to the query (:func:`query_fold`): each text folded as
    :func:`kg.normalize.fold` does (which also turns Traditional into Simplified) and
    folded like a query, in its own script.

    >>> search_keys(["Actor-Critic", "強化學習"])
    ['actor critic', '强化学习', '強化學習']
    """
    keys: list[str] = []
    for text in texts:
        for key in (fold(text), query_fold(text)):
            if key and key not in keys:
                keys.append(key)
    return keys


SPACE_RUN = re.compile("[\\s" + "".join(re.escape(ch) for ch in sorted(SPACE_LIKE)) + "]+")
# the same character class for the page's script (a JavaScript regular expression, flag "u")
SPACE_RUN_JS = "[\\s" + "".join(f"\\u{{{ord(ch):x}}}" for ch in sorted(SPACE_LIKE)) + "]+"


def query_fold(text: str) -> str:
    """What the page's script does to a query: NFKC, lower case, and runs of spaces,
    hyphens and underscores to one space (:func:`kg.normalize.fold` without its
    Traditional -> Simplified step).

    >>> query_fold("Ｌｏ－ＲＡ  Actor_Critic")
    'lo ra actor critic'
    """
    return SPACE_RUN.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


MARKUP = re.compile(r"[#*_`>|]+|\[([^\]]*)\]\([^)]*\)|<[^>]{0,200}>")
MARKUP_START = re.compile(r"[#*_`>|\[<]")  # where a MARKUP match can begin: a quick test for none


def plain_excerpt(text: str, limit: int) -> str:
    """``text`` without markdown and markup, in one line, cut at about ``limit``
    characters (the result is still data: the page shows it as text).

    >>> plain_excerpt("## Core\\n**Actor-Critic** combines [policy](http://x) and <b>value</b>.", 40)
    'Core Actor-Critic combines policy and…'
    """
    text = text[: limit * 6]  # the opening is all that is shown
    if "[" in text:  # a link keeps its text
        text = MARKUP.sub(lambda m: m.group(1) or " ", text)
    elif MARKUP_START.search(text):
        text = MARKUP.sub(" ", text)
    text = " ".join(text.split())  # runs of white space (what str.isspace and regex \s match) to one space
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。；：、") + "…"


def excerpt_section(lecture):
    """The section the page's excerpt of a lecture shows: its first core section with
    text, or None (then the excerpt is the summary's opening)."""
    return next((section for section in lecture.sections if section.kind == "core" and section.text.strip()), None)


def lecture_excerpt(lecture) -> str:
    """The opening of a lecture's summary: its core section when it has one."""
    core = excerpt_section(lecture)
    return plain_excerpt(core.text if core else lecture.summary, EXCERPT_CHARS)


def short_title(lecture) -> str:
    """A lecture's title without its course tag, short enough to label a node."""
    from kg.courses import split_title

    rest = split_title(lecture.title)[1] or lecture.title
    return plain_excerpt(rest, SHORT_TITLE_CHARS)


THUMBNAIL = "https://img.youtube.com/vi/{video}/mqdefault.jpg"  # 320 px: the catalog's maxresdefault is 1280


def thumbnail(video_id: str) -> str:
    """A lecture's small thumbnail (the page builds it from :data:`THUMBNAIL` the same way)."""
    return THUMBNAIL.format(video=video_id)


def lecture_order(lecture) -> tuple:
    """Catalog order: the catalog numbers lectures in the order they were published."""
    return (lecture.number, lecture.video_id)


# ---------------------------------------------------------------------------- choosing what to show


@dataclass(slots=True)
class Selection:
    """Which concepts and lectures the page offers, and which of them it draws first."""

    concepts: list[str]  # offered, most important first
    lectures: list[str]  # offered, in catalog order
    lectures_of: dict[str, list[Link]]  # offered concept -> its lectures shown, in catalog order
    more_of: dict[str, int]  # offered concept -> lectures left out of its list
    drawn: list[str]  # node ids in the overview


def offered_concepts(view: GraphView, ranked: list[str], weight: dict[str, float]) -> list[str]:
    """The concepts the page offers: those lectures teach or mention, most important
    first, then the prerequisites and broader concepts of those (so the panel can
    link them) -- at most :data:`OFFERED_CONCEPTS`. Vocabulary concepts no lecture
    comes near are left out."""
    linked = [concept for concept in ranked if weight[concept] > 0][:OFFERED_CONCEPTS]
    chosen = set(linked)
    near: set[str] = set()
    for relation in ("requires", "broader"):
        near.update(v for u, v in view.concept_edges.get(relation, ()) if u in chosen and v not in chosen)
    return linked + [concept for concept in ranked if concept in near][:OFFERED_CONCEPTS - len(linked)]


def select(view: GraphView, ranked: list[str], weight: dict[str, float]) -> Selection:
    """The offer (capped for huge catalogs) and the overview drawn first: the most
    important concepts, each with its main lectures, until :data:`OVERVIEW_NODES`."""
    offered = offered_concepts(view, ranked, weight)
    lectures_of: dict[str, list[Link]] = {}
    more_of: dict[str, int] = {}
    main_of: dict[str, list[Link]] = {}
    for concept in offered:
        kept = view.strongest[concept]
        main_of[concept] = [link for link in kept if link.relation == "about"][:OVERVIEW_LECTURES_PER_CONCEPT]
        kept = kept[:LECTURES_PER_CONCEPT]
        lectures_of[concept] = sorted(kept, key=lambda link: link.order)
        more_of[concept] = sum(view.link_counts[concept]) - len(kept)

    drawn: dict[str, None] = {}  # ordered set
    for concept in offered[:OVERVIEW_CONCEPTS]:
        if weight[concept] <= 0 or len(drawn) >= OVERVIEW_NODES:
            break
        drawn[concept] = None
        for link in main_of[concept]:
            if len(drawn) >= OVERVIEW_NODES:
                break
            drawn[link.lecture] = None

    if len(view.lectures) <= OFFERED_LECTURES:
        lectures = set(view.lectures)  # every lecture can be found by its title
    else:
        lectures = {link.lecture for links in lectures_of.values() for link in links}
        lectures.update(node for node in drawn if node in view.lectures)
    return Selection(
        concepts=offered,
        lectures=sorted(lectures, key=lambda node: lecture_order(view.lectures[node])),
        lectures_of=lectures_of,
        more_of=more_of,
        drawn=list(drawn),
    )


# ---------------------------------------------------------------------------- study paths


def precompute_paths(graph: nx.MultiDiGraph, concepts: Sequence[str], plan: Planner) -> dict[str, dict[str, Any]]:
    """``plan(graph, concept)`` for every concept, and with ``lang`` set to each
    language where that gives a different path: {concept: {"all": steps, "zh": …}}.

    A path longer than :data:`PATH_STEPS` (only in huge catalogs, where a concept has
    thousands of lectures) is the one ``kg path --max PATH_STEPS`` gives; {"cut":
    [variant, …]} lists the variants so shortened."""
    if plan is study_path:
        # the same answers, planned once per concept for every language and only as
        # far as PATH_STEPS needs (a concept of a huge catalog has thousands of lectures)
        bounded = bounded_study_paths(graph, concepts, PATH_STEPS, (None, *LANGUAGES))

        def computed(concept: str, lang: str | None) -> tuple[list, bool]:
            by_lang, shortened = bounded[concept]
            return by_lang[lang], shortened
    else:
        def computed(concept: str, lang: str | None) -> tuple[list, bool]:
            return bounded_path(graph, concept, plan, lang)

    paths: dict[str, dict[str, Any]] = {}
    for concept in concepts:
        every, every_cut = computed(concept, None)
        variants: dict[str, Any] = {"all": every}
        cut = ["all"] if every_cut else []
        for lang in LANGUAGES:
            steps, was_cut = computed(concept, lang)
            if steps != every:
                variants[lang] = steps
                if was_cut:
                    cut.append(lang)
        if cut:
            variants["cut"] = cut
        paths[concept] = variants
    return paths


def bounded_path(graph: nx.MultiDiGraph, concept: str, plan: Planner, lang: str | None) -> tuple[list, bool]:
    """(the path as ``kg path`` gives it when it has at most PATH_STEPS steps, else as
    ``kg path --max PATH_STEPS`` gives it; whether it was shortened). Asking for one
    step more than shown tells the two apart without computing a huge path whole."""
    steps = list(plan(graph, concept, lang=lang, max_steps=PATH_STEPS + 1))
    if len(steps) <= PATH_STEPS:
        return steps, False
    return list(plan(graph, concept, lang=lang, max_steps=PATH_STEPS)), True


# ---------------------------------------------------------------------------- the page's data


def page_data(graph: nx.MultiDiGraph, plan: Planner) -> dict[str, Any]:
    """Everything the page shows, as plain data: the pyvis overview network and the
    JSON the script reads."""
    view = read_graph(graph)
    weight = importance(view)
    ranked = ranked_concepts(view, weight)
    ancestors = ancestors_by_concept(view.concept_edges.get("broader", ()), view.concepts)
    areas = concept_areas(ancestors)
    area_colors = area_palette(areas, weight)
    chosen = select(view, ranked, weight)
    paths = precompute_paths(graph, chosen.concepts, plan)

    # lectures on a path are offered even when no concept list holds them
    path_lectures = {step.lecture for variants in paths.values() for lang, steps in variants.items() if lang != "cut"
                     for step in steps}
    missing = path_lectures.difference(chosen.lectures).intersection(view.lectures)
    if missing:
        chosen.lectures = sorted(set(chosen.lectures) | missing, key=lambda n: lecture_order(view.lectures[n]))

    concept_index = {concept: i for i, concept in enumerate(chosen.concepts)}
    lecture_index = {lecture: i for i, lecture in enumerate(chosen.lectures)}
    node_index = {**concept_index, **{lecture: len(concept_index) + i for lecture, i in lecture_index.items()}}
    courses = course_table(view, chosen.lectures)
    course_index = {course["id"]: i for i, course in enumerate(courses)}
    max_weight = max((weight[c] for c in chosen.concepts), default=1.0) or 1.0

    def area_color(concept: str) -> str:
        area = areas.get(concept)
        return GENERAL_COLOR if area == "" else area_colors.get(area or "", OTHER_COLOR)

    def course_color(lecture: str) -> str:
        course = view.lecture_links(lecture).course
        return courses[course_index[course]]["color"] if course in course_index else NO_COURSE_COLOR

    vis_nodes = {concept: concept_node(concept, view.concepts[concept], weight[concept], max_weight, area_color(concept))
                 for concept in chosen.concepts}
    vis_nodes.update({lecture: lecture_node(lecture, view.lectures[lecture], course_color(lecture))
                      for lecture in chosen.lectures})
    edges = drawable_edges(view, node_index)
    relation_index = {relation: i for i, relation in enumerate(RELATIONS)}
    drawn = set(chosen.drawn)
    around = concept_neighbourhoods(view)

    data = {
        "meta": {
            "lectures": len(view.lectures),
            "concepts": len(view.concepts),
            "offeredConcepts": len(chosen.concepts),
            "offeredLectures": len(chosen.lectures),
            "drawnConcepts": sum(1 for node in chosen.drawn if node in view.concepts),
            "drawnLectures": sum(1 for node in chosen.drawn if node in view.lectures),
            "spaces": SPACE_RUN_JS,
            "hiddenRelations": list(HIDDEN_AT_FIRST),
            "thumbnail": THUMBNAIL,
        },
        "courses": courses,
        "areas": area_legend(area_colors, view, areas),
        "relations": [{"key": key, "label": label, **_legend_style(style)} for key, (label, style) in EDGE_STYLES.items()],
        "concepts": [concept_entry(concept, view, chosen, areas, weight, concept_index, lecture_index, paths, around)
                     for concept in chosen.concepts],
        "lectures": [lecture_entry(lecture, view, concept_index, lecture_index, course_index)
                     for lecture in chosen.lectures],
        "edgeRelations": RELATIONS,
        "edges": [[node_index[u], node_index[v], relation_index[relation]] for u, v, relation in edges],
        "edgeStyles": {**{key: style for key, (_, style) in EDGE_STYLES.items()}, "path": PATH_STYLE},
        **pool_table({node: options for node, options in vis_nodes.items() if node not in drawn}),
    }
    overview_edges = [(u, v, relation) for u, v, relation in edges if u in drawn and v in drawn]
    return {
        "data": data,
        "nodes": [vis_nodes[node] for node in chosen.drawn],
        "edges": [edge_options(u, v, relation) for u, v, relation in overview_edges],
    }


def course_table(view: GraphView, lectures: Iterable[str]) -> list[dict[str, Any]]:
    """The courses of the offered lectures, in order of their first lecture, each with
    its colour and number of lectures."""
    counts: dict[str, int] = {}
    for lecture in lectures:
        course = view.lecture_links(lecture).course
        counts[course] = counts.get(course, 0) + 1
    table = []
    for i, course in enumerate(course for course in counts if course):
        record = view.courses[course]
        table.append({"id": course, "name": record.name, "lang": record.language or "",
                      "color": COURSE_COLORS[i % len(COURSE_COLORS)], "lectures": counts[course]})
    if "" in counts:
        table.append({"id": "", "name": "Other lectures", "lang": "", "color": NO_COURSE_COLOR, "lectures": counts[""]})
    return table


def area_legend(colors: dict[str, str], view: GraphView, areas: dict[str, str | None]) -> list[dict[str, str]]:
    legend = []
    if "" in areas.values():
        legend.append({"label": "General", "color": GENERAL_COLOR})
    for area, color in colors.items():
        legend.append({"label": view.concepts[area].label("en"), "color": color})
    legend.append({"label": "Other", "color": OTHER_COLOR})
    return legend


def _legend_style(style: dict[str, Any]) -> dict[str, Any]:
    return {"color": style["color"]["color"], "dashes": style.get("dashes") or [],
            "arrow": style["arrows"] is ARROW, "width": style["width"]}


def concept_entry(concept: str, view: GraphView, chosen: Selection, areas: dict[str, str | None],
                  weight: dict[str, float], index: dict[str, int], lecture_index: dict[str, int],
                  paths: dict[str, dict[str, list]], around: dict[str, dict[str, list[str]]]) -> dict[str, Any]:
    """One concept as the script reads it (concepts and lectures by their position)."""
    record = view.concepts[concept]
    english, chinese, others = concept_labels(record)
    area = areas.get(concept)

    def positions(relation: str) -> list[int]:
        return sorted({index[c] for c in around[relation].get(concept, ()) if c in index})

    return {
        "id": concept,
        "en": english,
        "zh": chinese,
        "alt": others[:ALT_LABELS_SHOWN],
        "keys": search_keys([english, chinese or "", *record.all_labels()]),
        "area": view.concepts[area].label("en") if area else ("General" if area == "" else ""),
        "weight": weight[concept],
        "lectures": [[lecture_index[link.lecture], link.relation, plain_excerpt(link.snippet, SNIPPET_CHARS)]
                     for link in chosen.lectures_of.get(concept, []) if link.lecture in lecture_index],
        "more": chosen.more_of.get(concept, 0),
        **{name: positions(name) for name in around},
        "path": {lang: [[lecture_index[step.lecture], [index[c] for c in step.concepts if c in index]]
                        for step in steps if step.lecture in lecture_index]
                 for lang, steps in paths.get(concept, {"all": []}).items() if lang != "cut"},
        "pathCut": paths.get(concept, {}).get("cut", []),
    }


def concept_neighbourhoods(view: GraphView) -> dict[str, dict[str, list[str]]]:
    """For each kind of neighbour the page lists: {concept: [neighbour, …]}."""
    related = view.neighbours("related")
    for concept, others in view.neighbours("related", forward=False).items():
        related.setdefault(concept, []).extend(others)  # related is stored once, either way round
    return {
        "requires": view.neighbours("requires"),
        "requiredBy": view.neighbours("requires", forward=False),
        "broader": view.neighbours("broader"),
        "narrower": view.neighbours("broader", forward=False),
        "related": related,
    }


def lecture_entry(lecture: str, view: GraphView, concept_index: dict[str, int], lecture_index: dict[str, int],
                  course_index: dict[str, int]) -> dict[str, Any]:
    """One lecture as the script reads it."""
    record = view.lectures[lecture]
    linked = view.lecture_links(lecture)

    def first(others: list[str]) -> int | None:
        return next((lecture_index[other] for other in others if other in lecture_index), None)

    return {
        "id": lecture,
        "n": record.number,
        "title": record.title,
        "url": record.url,
        "video": record.video_id,
        "date": record.date or "",
        "course": course_index.get(linked.course, -1),
        "lang": record.language,
        "excerpt": lecture_excerpt(record),
        "about": [concept_index[concept] for concept in linked.about if concept in concept_index],
        "mentions": [concept_index[concept] for concept in linked.mentions if concept in concept_index],
        "keys": search_keys([record.title]),
        "next": first(linked.next_parts),
        "prev": first(view.linked_to(lecture, "next_part")),
        "other": first(linked.originals + view.linked_to(lecture, "translation_of")),  # either way round
    }


def drawable_edges(view: GraphView, node_index: dict[str, int]) -> list[tuple[str, str, str]]:
    """The edges the page may draw between two offered nodes, in drawing direction.

    Concept links are thinned so the drawing stays legible: ``requires`` and
    ``broader`` keep only the edges their transitive reduction keeps, and a ``requires``
    edge whose only evidence is a ``broader`` edge is left to that edge. The panel
    still lists every link."""
    targets: dict[str, list[tuple[str, str]]] = {}  # from -> [(to, relation)]
    for lecture in node_index:
        if lecture in view.lectures:
            linked = view.lecture_links(lecture)
            targets[lecture] = [(other, relation) for relation, others in (
                ("about", linked.about), ("mentions", linked.mentions), ("next_part", linked.next_parts),
                ("translation_of", linked.originals)) for other in others if other in node_index]
    for relation in CONCEPT_LINKS:
        pairs = [(u, v) for u, v in view.concept_edges.get(relation, ()) if u in node_index and v in node_index]
        if relation == "requires":
            pairs = [pair for pair in pairs if view.requires_provenance.get(pair) != "broader"]
        if relation in TRANSITIVE:
            pairs = transitive_reduction(pairs)
        for u, v in pairs:
            u, v = (v, u) if relation in REVERSED else (u, v)
            targets.setdefault(u, []).append((v, relation))
    # sorted by (from, to, relation), each once: a sort per node costs less than one of all edges
    return [(u, v, relation) for u in sorted(targets) for v, relation in sorted(set(targets[u]))]


def transitive_reduction(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs not implied by a longer chain of pairs (all of them if they form a cycle).

    >>> transitive_reduction([("a", "b"), ("b", "c"), ("a", "c")])
    [('a', 'b'), ('b', 'c')]
    """
    graph = nx.DiGraph(pairs)
    if not nx.is_directed_acyclic_graph(graph):
        return sorted(set(pairs))
    return sorted(nx.transitive_reduction(graph).edges())


# ---------------------------------------------------------------------------- vis-network options


def concept_node(node: str, concept, weight: float, max_weight: float, color: str) -> dict[str, Any]:
    """A concept: a dot sized by importance, coloured by area, labelled in both languages."""
    english, chinese = main_labels(concept)
    share = math.sqrt(weight / max_weight) if max_weight else 0.0
    size = round(9 + 23 * share, 1)
    return {
        "id": node, "label": english + (f"\n{chinese}" if chinese else ""), "shape": "dot", "size": size,
        "color": _node_color(color), "opacity": 1,
        "font": {"size": round(14 + 10 * share), "color": "#1f2933", "strokeWidth": 4, "strokeColor": "#ffffff",
                 "face": FONT},
        "mass": round(1 + 2 * share, 2),
        "scaling": {"label": {"drawThreshold": 5}},  # vis-network's default, explicit so the page can restore it
    }


def lecture_node(node: str, lecture, color: str) -> dict[str, Any]:
    """A lecture: a small square coloured by course, labelled with its number and short title."""
    return {
        "id": node, "label": f"{lecture.number}. {short_title(lecture)}", "shape": "square", "size": 7,
        "color": _node_color(color), "opacity": 1,
        "font": {"size": 10, "color": "#52606d", "strokeWidth": 3, "strokeColor": "#ffffff", "face": FONT},
        # labels appear once zoomed in enough to read them (10 px at scale >= 0.9)
        "scaling": {"label": {"drawThreshold": 10}},
    }


def _node_color(color: str) -> dict[str, Any]:
    return {"background": color, "border": "#ffffff",
            "highlight": {"background": color, "border": "#1f2933"},
            "hover": {"background": color, "border": "#1f2933"}}


def pool_table(pool: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The nodes drawn on demand, compactly: {"looks": [shared options, …],
    "pool": {node id: [look, label]}}; the script puts a node back together as
    ``{id, label, ...looks[look]}``.

    >>> pool_table({"L:a": {"id": "L:a", "label": "A", "size": 7}, "L:b": {"id": "L:b", "label": "B", "size": 7}})
    {'looks': [{'size': 7}], 'pool': {'L:a': [0, 'A'], 'L:b': [0, 'B']}}
    """
    looks: list[dict[str, Any]] = []
    look_index: dict[str, int] = {}
    table: dict[str, list] = {}
    for node, options in pool.items():
        look = {key: value for key, value in options.items() if key not in ("id", "label")}
        # the same options in the same order (concept_node and lecture_node always list
        # them in one order): the same repr, at half the cost of sorted JSON
        key = repr(look)
        if key not in look_index:
            look_index[key] = len(looks)
            looks.append(look)
        table[node] = [look_index[key], options["label"]]
    return {"looks": looks, "pool": table}


def edge_id(u: str, v: str, relation: str) -> str:
    """The id the page's script uses too, so that an edge is never drawn twice."""
    return f"{relation}|{u}|{v}"


def edge_options(u: str, v: str, relation: str) -> dict[str, Any]:
    return {"id": edge_id(u, v, relation), "from": u, "to": v, "relation": relation, **EDGE_STYLES[relation][1],
            "hidden": relation in HIDDEN_AT_FIRST}


def configure(net: pyvis.network.Network) -> None:
    """vis-network options: a bounded force-directed layout, hover events for the
    tooltips, straight edges (cheap to draw)."""
    net.force_atlas_2based(gravity=-45, central_gravity=0.012, spring_length=70, spring_strength=0.06,
                           damping=0.55, overlap=0.25)
    physics = net.options.physics
    physics.stabilization.iterations = STABILIZATION_ITERATIONS
    physics.stabilization.updateInterval = 20
    physics.minVelocity = 1.5
    physics.maxVelocity = 60
    physics.timestep = 0.6
    net.set_edge_smooth("continuous")
    net.options.edges.smooth.enabled = False
    net.inherit_edge_colors(False)
    net.options.interaction.hover = True
    net.options.interaction.hideEdgesOnDrag = True
    net.options.interaction.tooltipDelay = 120
    net.options.interaction.navigationButtons = False
    net.options.layout = {"improvedLayout": False, "randomSeed": 7}


def overview_network(page: dict[str, Any]) -> pyvis.network.Network:
    """The overview drawn first, as a pyvis Network."""
    net = pyvis.network.Network(height="100%", width="100%", directed=True, cdn_resources="in_line",
                                heading=HEADING, bgcolor="#f7f9fb")
    configure(net)
    for options in page["nodes"]:
        options = dict(options)
        net.add_node(options.pop("id"), **options)
    # add_edge checks both ends against a list of node ids (quadratic) and, for a directed
    # network, adds an arrow to every edge: use Edge directly, each style sets its arrows
    for options in page["edges"]:
        options = dict(options)
        net.edges.append(Edge(options.pop("from"), options.pop("to"), directed=False, **options).options)
    return net


# ---------------------------------------------------------------------------- rendering


# (character, escape): each only ever occurs inside JSON strings, where the escape means the same
SCRIPT_UNSAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(value: Any) -> str:
    """JSON that can sit inside ``<script>``: ``</script>``, ``<!--`` and the line
    separators JavaScript once choked on are all written as ``\\u`` escapes.

    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in SCRIPT_UNSAFE:  # str.replace: far faster than str.translate on megabytes
        text = text.replace(char, escape)
    return text


@cache
def pyvis_assets() -> tuple[str, str]:
    """vis-network's script and style as pyvis ships them (the files its own
    ``cdn_resources="in_line"`` template inlines)."""
    folder = Path(pyvis.network.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return (folder / "vis-network.min.js").read_text(encoding="utf-8"), (folder / "vis-network.css").read_text(encoding="utf-8")


@cache
def own_assets() -> tuple[str, str]:
    """The page's own script and style."""
    return (TEMPLATES / "graph.js").read_text(encoding="utf-8"), (TEMPLATES / "graph.css").read_text(encoding="utf-8")


def csp(scripts: Iterable[str]) -> str:
    """A Content-Security-Policy that lets only these inline scripts run and loads
    nothing but YouTube thumbnails: an injected ``<script>`` or ``onerror=`` would not run.

    'unsafe-eval' lets tools that drive the page (Playwright's ``wait_for_function``)
    evaluate their expressions; it lets no markup in the page run, and the page's own
    scripts never evaluate strings."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
                      for script in scripts)
    return (f"default-src 'none'; script-src {hashes} 'unsafe-eval'; style-src 'unsafe-inline'; "
            "img-src https://img.youtube.com data:; base-uri 'none'; form-action 'none'")


@cache
def page_environment() -> Environment:
    """The Jinja environment of the page's template, one per process: it compiles the
    template once. Autoescape: whatever the template prints is escaped unless marked
    as already safe (:class:`markupsafe.Markup`)."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)


def render_page(page: dict[str, Any]) -> str:
    """The whole HTML file."""
    net = overview_network(page)
    vis_js, vis_css = pyvis_assets()
    app_js, app_css = own_assets()
    for name, text, element in (("vis-network.css", vis_css, "style"), ("graph.css", app_css, "style"),
                                ("vis-network.min.js", vis_js, "script"), ("graph.js", app_js, "script")):
        if f"</{element}" in text.lower():
            raise ValueError(f"{name} would close its <{element}> element")
    return page_environment().get_template(TEMPLATE).render(heading=net.heading, page={
        "csp": csp([vis_js, app_js]),
        "data_json": Markup(script_json(page["data"])),
        "network_json": Markup(script_json({"nodes": net.nodes, "edges": net.edges,
                                            "options": json.loads(net.options.to_json())})),
        "vis_js": Markup(vis_js),
        "vis_css": Markup(vis_css),
        "app_js": Markup(app_js),
        "app_css": Markup(app_css),
    })
