/* lecture-kg: the script of the interactive graph page (inlined by kg/html.py).
 *
 * Everything shown comes from two JSON blocks that kg/html.py wrote: "kg-network" (the
 * overview that pyvis made: nodes, edges, vis-network options) and "kg-data" (concepts,
 * lectures, search keys, study paths computed by kg.paths.study_path, the nodes drawn on
 * demand). This script computes nothing of its own beyond display: it searches, draws,
 * dims and lists.
 *
 * Safety: catalog text enters the page only through textContent, Node.append(string)
 * and DOM properties; never innerHTML. Links are only ever https URLs.
 */
(function () {
  "use strict";

  var readJson = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var NET = readJson("kg-network");
  var DATA = readJson("kg-data");
  var CONCEPTS = DATA.concepts;
  var LECTURES = DATA.lectures;
  var COURSES = DATA.courses;
  var SPACES = new RegExp(DATA.meta.spaces, "gu");
  var MAX_RESULTS = 12;

  var conceptAt = new Map(CONCEPTS.map(function (c, i) { return [c.id, i]; }));
  var lectureAt = new Map(LECTURES.map(function (l, i) { return [l.id, i]; }));

  var state = {
    lang: "all",
    hiddenCourses: new Set(),
    concept: null,   // index of the concept shown in the panel
    pathConcept: null,
    pathNodes: null, // Set of node ids kept bright while a path is shown
    hiddenRelations: new Set(DATA.meta.hiddenRelations)
  };

  // ------------------------------------------------------------------ small DOM helpers

  /** An element with text children (strings become text nodes, never HTML). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        var value = attrs[key];
        if (value === null || value === undefined) return;
        if (key === "text") node.textContent = value;
        else if (key === "class") node.className = value;
        else if (key === "onclick") node.addEventListener("click", value);
        else node.setAttribute(key, value);
      });
    }
    add.apply(null, [node].concat(Array.prototype.slice.call(arguments, 2)));
    return node;
  }

  /** Append children to a node, skipping the empty ones (Node.append would write "null"). */
  function add(node) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child !== null && child !== undefined && child !== false && child !== "") node.append(child);
    }
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https:\/\//.test(url) ? url : "about:blank";
  }

  function swatch(color, round) {
    var span = el("span", { class: "swatch" + (round ? " round" : "") });
    span.style.background = color;
    return span;
  }

  function count(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function courseOf(lecture) { return lecture.course >= 0 ? COURSES[lecture.course] : null; }
  function courseName(lecture) { var c = courseOf(lecture); return c ? c.name : ""; }
  function courseColor(lecture) { var c = courseOf(lecture); return c ? c.color : "#8896a6"; }
  function langName(code) { return code === "en" ? "English" : code === "zh" ? "中文" : code; }
  function conceptName(c) { return c.zh ? c.en + " · " + c.zh : c.en; }

  // ------------------------------------------------------------------ the network

  var nodes = new vis.DataSet(NET.nodes);
  var edges = new vis.DataSet(NET.edges);
  var overviewIds = NET.nodes.map(function (n) { return n.id; });
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, NET.options);

  function markReady() {
    if (window.kgReady) return;
    network.setOptions({ physics: { enabled: false } });
    document.getElementById("loading").classList.add("done");
    document.body.setAttribute("data-ready", "true");
    window.kgReady = true;
  }

  network.on("stabilizationProgress", function (p) {
    var share = p.total ? p.iterations / p.total : 1;
    document.getElementById("loading-bar").style.width = Math.max(4, Math.round(share * 100)) + "%";
  });
  network.once("stabilizationIterationsDone", function () { markReady(); network.fit(); });
  if (!NET.nodes.length) markReady();

  /** A node id from a position in the combined index of the "edges" data (concepts first). */
  function nodeIdAt(k) {
    return k < CONCEPTS.length ? CONCEPTS[k].id : LECTURES[k - CONCEPTS.length].id;
  }

  var adjacency = null;
  /** node id -> [[other node id, edge options]], built on first use. */
  function neighboursOf(id) {
    if (!adjacency) {
      adjacency = new Map();
      DATA.edges.forEach(function (e) {
        var from = nodeIdAt(e[0]), to = nodeIdAt(e[1]), relation = DATA.edgeRelations[e[2]];
        var edge = Object.assign({ id: relation + "|" + from + "|" + to, from: from, to: to, relation: relation },
                                 DATA.edgeStyles[relation]);
        [from, to].forEach(function (end) {
          if (!adjacency.has(end)) adjacency.set(end, []);
          adjacency.get(end).push([end === from ? to : from, edge]);
        });
      });
    }
    return adjacency.get(id) || [];
  }

  /** Draw these nodes (concepts and lectures) if they are not drawn yet, next to a drawn
   *  neighbour, with their edges to everything drawn. */
  function ensureDrawn(ids) {
    var fresh = ids.filter(function (id, i) { return ids.indexOf(id) === i && !nodes.get(id) && DATA.pool[id]; });
    if (!fresh.length) return;
    var placed = new Map();
    var view = network.getViewPosition();
    fresh.forEach(function (id, k) {
      var anchor = null;
      neighboursOf(id).some(function (pair) {
        var other = pair[0];
        if (placed.has(other)) { anchor = placed.get(other); return true; }
        if (nodes.get(other)) { anchor = network.getPositions([other])[other]; return true; }
        return false;
      });
      var base = anchor || view;
      var angle = k * 2.399963;  // golden angle: new nodes spread evenly around their anchors
      var radius = 110 + 28 * Math.sqrt(k);
      var at = { x: base.x + radius * Math.cos(angle), y: base.y + radius * Math.sin(angle) };
      placed.set(id, at);
      nodes.add(Object.assign(poolNode(id), at, nodeLook(id)));
    });
    spreadOut(fresh);
    var added = [];
    fresh.forEach(function (id) {
      neighboursOf(id).forEach(function (pair) {
        if (nodes.get(pair[0]) && !edges.get(pair[1].id)) {
          added.push(Object.assign({}, pair[1], edgeLook(pair[1]),
                                   { hidden: state.hiddenRelations.has(pair[1].relation) }));
        }
      });
    });
    edges.update(added);
    applyFilters();
  }

  /** Push freshly drawn nodes away from every node they overlap (physics is off by
   *  then, and the rest of the drawing should not move). Labels are wide, so a
   *  horizontal gap counts half. */
  function spreadOut(fresh) {
    var CLEAR = 70, ROUNDS = 24;
    var at = network.getPositions();
    var ids = Object.keys(at);
    for (var round = 0; round < ROUNDS; round++) {
      var moved = false;
      fresh.forEach(function (id) {
        var p = at[id], dx = 0, dy = 0;
        ids.forEach(function (other) {
          if (other === id) return;
          var q = at[other], x = (p.x - q.x) / 2, y = p.y - q.y, d = Math.sqrt(x * x + y * y);
          if (d >= CLEAR) return;
          if (d < 0.01) { x = 1; y = 0; d = 1; }
          var push = (CLEAR - d) / d;
          dx += 2 * x * push; dy += y * push;
        });
        if (dx || dy) { p.x += dx * 0.3; p.y += dy * 0.3; moved = true; }
      });
      if (!moved) break;
    }
    fresh.forEach(function (id) { network.moveNode(id, at[id].x, at[id].y); });
  }

  /** Back to the overview first drawn. */
  function showOverview() {
    clearPath();
    var keep = new Set(overviewIds);
    var extraNodes = nodes.getIds().filter(function (id) { return !keep.has(id); });
    nodes.remove(extraNodes);
    edges.remove(edges.getIds().filter(function (id) {
      var e = edges.get(id);
      return !keep.has(e.from) || !keep.has(e.to);
    }));
    network.unselectAll();
    network.fit({ animation: { duration: 400 } });
  }

  // ------------------------------------------------------------------ dimming for a path

  // the look every node had when first drawn (overview or pool), to restore it exactly
  var firstLook = new Map();
  NET.nodes.forEach(function (n) { firstLook.set(n.id, n); });
  /** The vis-network options of a node drawn on demand (kg.html.pool_table). */
  function poolNode(id) {
    var entry = DATA.pool[id];
    return entry ? Object.assign({ id: id, label: entry[1] }, DATA.looks[entry[0]]) : null;
  }
  function lookOf(id) { return firstLook.get(id) || poolNode(id); }
  var FADED_TEXT = "rgba(82,96,109,0.25)";

  var ALWAYS_LABELLED = { label: { drawThreshold: 1 } };

  function nodeLook(id) {
    var first = lookOf(id);
    if (!state.pathNodes) return { opacity: first.opacity, font: first.font, scaling: first.scaling };
    if (state.pathNodes.has(id)) {
      var font = Object.assign({}, first.font, { size: Math.max(first.font.size, 13), color: "#1f2933" });
      return { opacity: first.opacity, font: font, scaling: ALWAYS_LABELLED };
    }
    return { opacity: 0.12, font: Object.assign({}, first.font, { color: FADED_TEXT }), scaling: first.scaling };
  }

  function edgeLook(edge) {
    var color = (DATA.edgeStyles[edge.relation] || {}).color;
    if (!state.pathNodes || edge.relation === "path") return { color: color };
    var bright = state.pathNodes.has(edge.from) && state.pathNodes.has(edge.to);
    return { color: Object.assign({}, color, { opacity: bright ? 1 : 0.06 }) };
  }

  /** Redraw every node and edge with the look the current path (or none) gives it. */
  function refreshLooks() {
    nodes.update(nodes.getIds().map(function (id) { return Object.assign({ id: id }, nodeLook(id)); }));
    edges.update(edges.get().map(function (e) { return Object.assign({ id: e.id }, edgeLook(e)); }));
  }

  // ------------------------------------------------------------------ filters

  function lectureVisible(lecture) {
    if (state.lang !== "all" && lecture.lang !== state.lang) return false;
    var course = courseOf(lecture);
    return !state.hiddenCourses.has(course ? course.id : "");
  }

  function applyFilters() {
    var changes = [];
    nodes.forEach(function (n) {
      var at = lectureAt.get(n.id);
      if (at === undefined) return;
      var hidden = !lectureVisible(LECTURES[at]);
      if (Boolean(n.hidden) !== hidden) changes.push({ id: n.id, hidden: hidden });
    });
    if (changes.length) nodes.update(changes);
  }

  function buildFilters() {
    var list = document.getElementById("courses");
    COURSES.forEach(function (course) {
      var box = el("input", { type: "checkbox", value: course.id, checked: "checked" });
      box.addEventListener("change", function () {
        if (box.checked) state.hiddenCourses.delete(course.id); else state.hiddenCourses.add(course.id);
        filtersChanged();
      });
      list.append(el("li", null, el("label", null, box, swatch(course.color),
        el("span", { text: course.name }), el("span", { class: "count", text: String(course.lectures) }))));
    });
    function setAll(on) {
      list.querySelectorAll("input").forEach(function (box) {
        box.checked = on;
        if (on) state.hiddenCourses.delete(box.value); else state.hiddenCourses.add(box.value);
      });
      filtersChanged();
    }
    document.getElementById("courses-all").addEventListener("click", function () { setAll(true); });
    document.getElementById("courses-none").addEventListener("click", function () { setAll(false); });
    document.querySelectorAll("input[name=lang]").forEach(function (radio) {
      radio.addEventListener("change", function () { state.lang = radio.value; filtersChanged(); });
    });
    updateCourseCount();
  }

  function updateCourseCount() {
    var shown = COURSES.length - state.hiddenCourses.size;
    document.getElementById("course-count").textContent = "(" + shown + " of " + COURSES.length + ")";
  }

  function filtersChanged() {
    updateCourseCount();
    applyFilters();
    if (state.pathConcept !== null) planPath(state.pathConcept);
    else if (state.concept !== null) showConcept(state.concept, { keepView: true });
  }

  // ------------------------------------------------------------------ search

  function foldQuery(text) {
    // the same as kg.html.query_fold: the search keys were folded in Python to match
    return text.normalize("NFKC").toLowerCase().replace(SPACES, " ").trim();
  }

  /** Concepts, then lectures, whose folded labels contain the query: exact matches
   *  first, then prefixes, then the rest; heavier concepts first within each. */
  function search(query) {
    var q = foldQuery(query);
    if (!q) return [];
    var found = [];
    CONCEPTS.forEach(function (c, i) {
      var best = 9;
      c.keys.forEach(function (key) {
        var at = key.indexOf(q);
        if (at < 0) return;
        var rank = key === q ? 0 : at === 0 ? 1 : 2;
        if (rank < best) best = rank;
      });
      if (best < 9) found.push({ kind: "concept", index: i, rank: best, weight: c.weight });
    });
    if (q.length >= 2) {
      LECTURES.forEach(function (l, i) {
        if (l.keys.some(function (key) { return key.indexOf(q) >= 0; })) {
          found.push({ kind: "lecture", index: i, rank: 5, weight: -l.n });
        }
      });
    }
    found.sort(function (a, b) { return a.rank - b.rank || b.weight - a.weight || a.index - b.index; });
    return found.slice(0, MAX_RESULTS);
  }

  var searchBox = document.getElementById("search");
  var resultList = document.getElementById("results");
  var activeResult = 0;

  function renderResults() {
    var found = search(searchBox.value);
    clear(resultList);
    activeResult = 0;
    if (!searchBox.value.trim()) { resultList.hidden = true; return; }
    resultList.hidden = false;
    if (!found.length) {
      resultList.append(el("li", { class: "no-result", text: "Nothing found" }));
      return;
    }
    found.forEach(function (hit, k) {
      var button;
      if (hit.kind === "concept") {
        var c = CONCEPTS[hit.index];
        var sub = [c.zh, c.alt.slice(0, 3).join(", ")].filter(Boolean).join(" · ");
        button = el("button", { type: "button", role: "option", "data-concept": c.id },
          el("span", { class: "result-kind", text: count(c.lectures.length + c.more, "lecture") }),
          el("span", { class: "result-main", text: c.en }),
          sub ? el("span", { class: "result-sub", text: sub }) : null);
        button.addEventListener("click", function () { chooseResult(function () { showConcept(hit.index); }); });
      } else {
        var l = LECTURES[hit.index];
        button = el("button", { type: "button", role: "option", "data-lecture": l.id },
          el("span", { class: "result-kind", text: "lecture" }),
          el("span", { class: "result-main", text: l.n + ". " + l.title }),
          el("span", { class: "result-sub", text: [courseName(l), l.date].filter(Boolean).join(" · ") }));
        button.addEventListener("click", function () { chooseResult(function () { showLecture(hit.index); }); });
      }
      if (k === 0) button.classList.add("active");
      resultList.append(el("li", null, button));
    });
  }

  function chooseResult(show) {
    resultList.hidden = true;
    show();
  }

  function moveActive(step) {
    var buttons = resultList.querySelectorAll("button");
    if (!buttons.length) return;
    buttons[activeResult].classList.remove("active");
    activeResult = (activeResult + step + buttons.length) % buttons.length;
    buttons[activeResult].classList.add("active");
    buttons[activeResult].scrollIntoView({ block: "nearest" });
  }

  searchBox.addEventListener("input", renderResults);
  searchBox.addEventListener("focus", function () { if (searchBox.value.trim()) renderResults(); });
  searchBox.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { moveActive(1); event.preventDefault(); }
    else if (event.key === "ArrowUp") { moveActive(-1); event.preventDefault(); }
    else if (event.key === "Enter") {
      var buttons = resultList.querySelectorAll("button");
      if (buttons.length) buttons[activeResult].click();
    } else if (event.key === "Escape") { searchBox.value = ""; resultList.hidden = true; }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".search")) resultList.hidden = true;
  });

  // ------------------------------------------------------------------ the panel

  var details = document.getElementById("details");
  // the study path is listed inside the concept's details, under its button
  function pathSection() { return document.getElementById("path"); }

  function conceptChip(i) {
    var c = CONCEPTS[i];
    return el("li", null, el("button", { type: "button", class: "chip", title: conceptName(c), text: c.en,
      onclick: function () { showConcept(i); } }));
  }

  function chipSection(title, indices) {
    if (!indices || !indices.length) return null;
    var list = el("ul", { class: "chips" });
    indices.forEach(function (i) { list.append(conceptChip(i)); });
    return el("div", null, el("h3", { text: title }), list);
  }

  function watchLink(lecture, text, className) {
    return el("a", { href: safeUrl(lecture.url), target: "_blank", rel: "noopener noreferrer",
      class: className || "watch", text: text || "▶ YouTube" });
  }

  function lectureItem(at, extra) {
    var l = LECTURES[at];
    var meta = [courseName(l), l.date, langName(l.lang)].filter(Boolean).join(" · ");
    return el("li", { "data-lecture": l.id },
      el("div", { class: "lecture-line" }, swatch(courseColor(l)),
        el("button", { type: "button", class: "lecture-link", text: l.n + ". " + l.title,
          onclick: function () { showLecture(at); } }),
        watchLink(l)),
      el("div", { class: "meta" }, meta, extra || null));
  }

  function showStart() {
    clear(details);
    details.append(el("p", { class: "hint", text: "Search for a concept above, or click a node in the graph. " +
      "Choose a concept to see its lectures in order, what it builds on, and a study path to it." }));
    var top = CONCEPTS.map(function (c, i) { return i; }).filter(function (i) { return CONCEPTS[i].weight > 0; })
      .slice(0, 14);
    var section = chipSection("Most covered concepts", top);
    if (section) details.append(section);
  }

  function showConcept(i, options) {
    var c = CONCEPTS[i];
    state.concept = i;
    if (!options || !options.keepPath) { clearPath(); }
    var shownLectures = c.lectures.filter(function (entry) { return lectureVisible(LECTURES[entry[0]]); });
    if (!options || !options.keepView) {
      ensureDrawn([c.id].concat(c.lectures.map(function (e) { return LECTURES[e[0]].id; })));
      network.selectNodes([c.id]);
      network.focus(c.id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 450 } });
    }
    clear(details);
    add(details,
      el("h2", { text: c.en }),
      c.zh ? el("p", { class: "zh", text: c.zh }) : null,
      c.alt.length ? el("ul", { class: "chips" }, ...c.alt.map(function (a) { return el("li", { class: "chip alt", text: a }); })) : null,
      el("p", { class: "kind-line" }, "Concept", c.area ? " · area: " + c.area : "",
        " · " + count(c.lectures.length + c.more, "lecture")));
    var plan = el("button", { type: "button", class: "primary", id: "plan-path", text: "Plan a study path",
      onclick: function () { planPath(i); } });
    details.append(plan, el("section", { id: "path", "aria-live": "polite", hidden: "hidden" }));
    details.append(el("h3", { text: "Lectures, in order" }));
    if (!c.lectures.length) details.append(el("p", { class: "more", text: "No lecture treats it directly." }));
    var list = el("ul", { class: "lecture-list", id: "concept-lectures" });
    shownLectures.forEach(function (entry) {
      var badge = entry[1] === "about" ? el("span", { class: "badge", text: "main topic" }) : null;
      var item = lectureItem(entry[0], badge ? el("span", null, " ", badge) : null);
      if (entry[2]) item.append(el("p", { class: "snippet", text: "“" + entry[2] + "”" }));
      list.append(item);
    });
    details.append(list);
    var hidden = c.lectures.length - shownLectures.length;
    if (hidden) details.append(el("p", { class: "more", text: hidden + " more hidden by the filters" }));
    if (c.more) details.append(el("p", { class: "more", text: count(c.more, "more lecture") + " not listed" }));
    [["Prerequisites", c.requires], ["Needed by", c.requiredBy], ["Broader", c.broader],
     ["Narrower", c.narrower], ["Related", c.related]].forEach(function (pair) {
      var section = chipSection(pair[0], pair[1]);
      if (section) details.append(section);
    });
  }

  function showLecture(at) {
    var l = LECTURES[at];
    state.concept = null;
    ensureDrawn([l.id]);
    network.selectNodes([l.id]);
    network.focus(l.id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 450 } });
    clear(details);
    add(details,
      el("h2", { text: l.title }),
      el("p", { class: "kind-line" }, swatch(courseColor(l)),
        ["Lecture " + l.n, courseName(l), l.date, langName(l.lang)].filter(Boolean).join(" · ")),
      watchLink(l, "▶ Watch on YouTube", "watch-button"),
      l.excerpt ? el("p", { class: "excerpt", text: l.excerpt }) : null);
    [["Main topics", l.about], ["Also mentions", l.mentions]].forEach(function (pair) {
      var section = chipSection(pair[0], pair[1]);
      if (section) details.append(section);
    });
    var around = [["Previous part", l.prev], ["Next part", l.next], ["Other-language version", l.other]]
      .filter(function (pair) { return pair[1] !== null && pair[1] !== undefined; });
    if (around.length) {
      var list = el("ul", { class: "lecture-list" });
      around.forEach(function (pair) { list.append(lectureItem(pair[1], " · " + pair[0])); });
      details.append(el("h3", { text: "See also" }), list);
    }
  }

  // ------------------------------------------------------------------ study paths

  /** Which precomputed path fits the language chosen (kg.paths.study_path with lang set). */
  function pathVariant(c) { return state.lang !== "all" && c.path[state.lang] ? state.lang : "all"; }
  function pathFor(c) { return c.path[pathVariant(c)] || []; }

  function planPath(i) {
    var c = CONCEPTS[i];
    var steps = pathFor(c);
    showConcept(i, { keepPath: true, keepView: true });
    state.pathConcept = i;
    var ids = steps.map(function (s) { return LECTURES[s[0]].id; });
    var stepConcepts = [];
    steps.forEach(function (s) { s[1].forEach(function (k) { stepConcepts.push(CONCEPTS[k].id); }); });
    ensureDrawn([c.id].concat(stepConcepts, ids));
    edges.remove(edges.getIds().filter(function (id) { return String(id).indexOf("path|") === 0; }));
    var keep = new Set([c.id].concat(stepConcepts, ids));
    state.pathNodes = keep;
    refreshLooks();
    var links = [];
    for (var k = 1; k < ids.length; k++) {
      links.push(Object.assign({ id: "path|" + k, from: ids[k - 1], to: ids[k], relation: "path" }, DATA.edgeStyles.path));
    }
    edges.update(links);
    network.selectNodes(Array.from(keep).filter(function (id) { return nodes.get(id); }));
    network.fit({ nodes: Array.from(keep).filter(function (id) { return nodes.get(id); }), animation: { duration: 500 } });
    renderPath(c, steps);
  }

  function renderPath(c, steps) {
    var section = pathSection();
    clear(section);
    section.hidden = false;
    var title = "Study path to " + c.en;
    section.append(el("h3", { text: title }));
    var banner = document.getElementById("path-banner");
    document.getElementById("path-banner-text").textContent =
      title + ": " + count(steps.length, "lecture");
    banner.hidden = false;
    if (!steps.length) {
      section.append(el("p", { class: "more", text: state.lang === "all"
        ? "No lecture teaches it yet." : "No lecture in this language teaches it." }));
    }
    var list = el("ol", { id: "path-steps" });
    steps.forEach(function (s) {
      var l = LECTURES[s[0]];
      var teaches = s[1].map(function (k) { return CONCEPTS[k].en; }).join(", ");
      list.append(el("li", { "data-lecture": l.id },
        el("div", { class: "lecture-line" },
          el("button", { type: "button", class: "lecture-link", text: l.n + ". " + l.title,
            onclick: function () { showLecture(s[0]); } }),
          watchLink(l)),
        el("div", { class: "meta", text: [courseName(l), l.date, langName(l.lang)].filter(Boolean).join(" · ") }),
        teaches ? el("div", { class: "teaches", text: "for: " + teaches }) : null));
    });
    section.append(list);
    if (c.pathCut.indexOf(pathVariant(c)) >= 0) {
      section.append(el("p", { class: "more", text: "The whole path is longer: these are the " + steps.length +
        " steps kg path --max " + steps.length + " keeps (the concept's own lectures and its nearest prerequisites)." }));
    }
    section.append(el("div", { class: "path-actions" },
      el("button", { type: "button", class: "secondary", text: "Clear path", onclick: clearPath })));
    section.scrollIntoView({ block: "start" });
  }

  function clearPath() {
    if (state.pathConcept === null) return;
    state.pathConcept = null;
    state.pathNodes = null;
    edges.remove(edges.getIds().filter(function (id) { return String(id).indexOf("path|") === 0; }));
    refreshLooks();
    var section = pathSection();
    if (section) { clear(section); section.hidden = true; }
    document.getElementById("path-banner").hidden = true;
  }

  // ------------------------------------------------------------------ tooltips

  var tooltip = document.getElementById("tooltip");

  function tooltipFor(id) {
    var box = document.createDocumentFragment();
    var at = conceptAt.get(id);
    if (at !== undefined) {
      var c = CONCEPTS[at];
      add(box, el("p", { class: "tip-title", text: c.en }), c.zh ? el("p", { class: "tip-zh", text: c.zh }) : null,
        c.alt.length ? el("p", { class: "tip-meta", text: "also: " + c.alt.join(", ") }) : null,
        el("p", { class: "tip-meta", text: [c.area, count(c.lectures.length + c.more, "lecture")].filter(Boolean).join(" · ") }));
      return box;
    }
    at = lectureAt.get(id);
    if (at === undefined) return null;
    var l = LECTURES[at];
    var image = new Image();
    image.referrerPolicy = "no-referrer";
    image.alt = "";
    image.addEventListener("error", function () { image.remove(); });
    image.src = safeUrl(DATA.meta.thumbnail.replace("{video}", encodeURIComponent(l.video)));
    add(box, el("p", { class: "tip-title", text: l.n + ". " + l.title }),
      el("p", { class: "tip-meta", text: [l.date, courseName(l), langName(l.lang)].filter(Boolean).join(" · ") }),
      image, l.excerpt ? el("p", { class: "tip-text", text: l.excerpt }) : null);
    return box;
  }

  network.on("hoverNode", function (params) {
    var content = tooltipFor(params.node);
    if (!content) return;
    clear(tooltip);
    tooltip.append(content);
    tooltip.hidden = false;
    var stage = container.getBoundingClientRect();  // the tooltip lives in the same box
    var x = params.pointer.DOM.x + 16, y = params.pointer.DOM.y + 16;
    if (x + tooltip.offsetWidth > stage.width) x = Math.max(4, params.pointer.DOM.x - tooltip.offsetWidth - 16);
    if (y + tooltip.offsetHeight > stage.height) y = Math.max(4, params.pointer.DOM.y - tooltip.offsetHeight - 16);
    tooltip.style.left = x + "px";
    tooltip.style.top = y + "px";
  });
  network.on("blurNode", function () { tooltip.hidden = true; });
  network.on("dragStart", function () { tooltip.hidden = true; });
  network.on("zoom", function () { tooltip.hidden = true; });

  network.on("click", function (params) {
    if (!params.nodes.length) return;
    var id = params.nodes[0];
    if (conceptAt.has(id)) showConcept(conceptAt.get(id), { keepPath: state.pathConcept !== null, keepView: true });
    else if (lectureAt.has(id)) showLecture(lectureAt.get(id));
  });

  // ------------------------------------------------------------------ legend and header

  function lineSample(style) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "10");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "5");
    line.setAttribute("x2", style.arrow ? "21" : "27"); line.setAttribute("y2", "5");
    line.setAttribute("stroke", style.color);
    line.setAttribute("stroke-width", String(Math.max(1, style.width)));
    if (style.dashes.length) line.setAttribute("stroke-dasharray", style.dashes.join(" "));
    svg.append(line);
    if (style.arrow) {
      var head = document.createElementNS(ns, "path");
      head.setAttribute("d", "M20 1 L27 5 L20 9 Z");
      head.setAttribute("fill", style.color);
      svg.append(head);
    }
    return svg;
  }

  function toggleRelation(relation, item) {
    var hide = !state.hiddenRelations.has(relation);
    if (hide) state.hiddenRelations.add(relation); else state.hiddenRelations.delete(relation);
    item.classList.toggle("off", hide);
    item.setAttribute("aria-pressed", String(!hide));
    edges.update(edges.get({ filter: function (e) { return e.relation === relation; } })
      .map(function (e) { return { id: e.id, hidden: hide }; }));
  }

  function buildLegend() {
    var body = document.getElementById("legend-body");
    var kinds = el("ul", { class: "wide" },
      el("li", null, swatch("#5b6b7f", true), "Concept"),
      el("li", { class: "note" }, "size: lectures, colour: area"),
      el("li", null, swatch("#1b9e77"), "Lecture"),
      el("li", { class: "note" }, "colour: course (see Courses)"));
    var areas = el("ul", { class: "areas" });
    DATA.areas.forEach(function (a) { areas.append(el("li", { title: a.label }, swatch(a.color, true), a.label)); });
    var relations = el("ul", { class: "relations" });
    DATA.relations.forEach(function (r) {
      var shown = !state.hiddenRelations.has(r.key);
      var item = el("button", { type: "button", class: "relation" + (shown ? "" : " off"), "data-relation": r.key,
        "aria-pressed": String(shown), title: "Show or hide these links" }, lineSample(r), r.label);
      item.addEventListener("click", function () { toggleRelation(r.key, item); });
      relations.append(el("li", null, item));
    });
    relations.append(el("li", null, el("span", { class: "relation" },
      lineSample({ color: "#f08c00", width: 3, dashes: [], arrow: true }), "study path")));
    body.append(el("div", { class: "legend-group" }, el("h4", { text: "Nodes" }), kinds),
      el("div", { class: "legend-group" }, el("h4", { text: "Concept areas" }), areas),
      el("div", { class: "legend-group" }, el("h4", { text: "Links · click to show or hide" }), relations));
    var toggle = document.getElementById("legend-toggle");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      body.hidden = open;
    });
  }

  function buildStats() {
    var m = DATA.meta;
    var text = m.lectures + " lectures · " + m.concepts + " concepts.";
    if (m.drawnConcepts) {
      text += " Showing the " + m.drawnConcepts + " most covered concepts and " + m.drawnLectures +
        " of their lectures; search for the rest.";
    }
    if (m.offeredConcepts < m.concepts) text += " (" + m.offeredConcepts + " concepts searchable.)";
    document.getElementById("stats").textContent = text;
  }

  document.getElementById("fit").addEventListener("click", function () { network.fit({ animation: { duration: 400 } }); });
  document.getElementById("overview").addEventListener("click", function () { showOverview(); showStart(); });
  document.getElementById("path-clear").addEventListener("click", clearPath);

  buildStats();
  buildLegend();
  buildFilters();
  showStart();
  // for tests and for readers who like a console
  window.kgPage = { search: search, showConcept: showConcept, planPath: planPath, network: network, nodes: nodes, edges: edges };
})();
