// kbgen global graph: draws _kbgen/graph.json on a canvas with level of detail.
// Positions come from the build (networkx), so the browser only draws. Nodes arrive best linked
// first and edges sorted by their later end, so "the first n nodes" and "the edges among them"
// are both prefixes: zoomed out, the central notes and the clusters; zoomed in, everything.
(function () {
  "use strict";
  var box = document.getElementById("global-graph");
  if (!box || !box.dataset.src || !window.fetch) return;
  var ROOT = document.body.getAttribute("data-root") || "";
  var BASE = 350;       // nodes drawn at the starting zoom
  var MAX_EDGES = 60000; // looked at per frame at most (the most important ones)
  var MAX_DRAWN = 12000; // drawn per frame at most

  fetch(box.dataset.src).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(start).catch(function (err) {
    var p = document.createElement("p");
    p.className = "graph-status";
    p.textContent = "The interactive graph could not be loaded (" + err.message + ").";
    box.appendChild(p);
  });

  function start(data) {
    var cols = data.nodes, N = data.total, E = data.edges.length / 2;
    var X = Float32Array.from(cols.x), Y = Float32Array.from(cols.y), R = Float32Array.from(cols.r);
    var M = Int32Array.from(cols.m), edges = Uint32Array.from(data.edges);
    // links between clusters, counted once: [cluster a, cluster b, count]
    var pairCount = new Map();
    for (var p = 0; p < edges.length; p += 2) {
      var ma = M[edges[p]], mb = M[edges[p + 1]];
      if (ma !== mb && ma >= 0 && mb >= 0 && ma < data.clusters.length && mb < data.clusters.length) {
        var pk = Math.min(ma, mb) * 65536 + Math.max(ma, mb);
        pairCount.set(pk, (pairCount.get(pk) || 0) + 1);
      }
    }
    var clusterLinks = [];
    pairCount.forEach(function (count, pk) { clusterLinks.push([Math.floor(pk / 65536), pk % 65536, count]); });
    // neighbours of each node, for highlighting
    var degree = new Uint32Array(N), offsets = new Uint32Array(N + 1), adj = new Uint32Array(edges.length);
    for (var i = 0; i < edges.length; i++) degree[edges[i]]++;
    for (i = 0; i < N; i++) offsets[i + 1] = offsets[i] + degree[i];
    var fill = offsets.slice(0, N);
    for (i = 0; i < edges.length; i += 2) {
      adj[fill[edges[i]]++] = edges[i + 1];
      adj[fill[edges[i + 1]]++] = edges[i];
    }
    // a grid over the world for finding the node under the pointer
    var CELLS = Math.max(8, Math.min(256, Math.round(Math.sqrt(N) * 2)));
    var cell = (data.size || 1) / CELLS, grid = new Map();
    for (i = 0; i < N; i++) {
      var key = Math.floor(X[i] / cell) * 4096 + Math.floor(Y[i] / cell);
      var list = grid.get(key);
      if (list) list.push(i); else grid.set(key, [i]);
    }

    box.paintTimes = [];
    var canvas = document.createElement("canvas");
    canvas.tabIndex = 0;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Graph of " + N + " notes and concepts. Drag to move, scroll or + and − to zoom, arrows to pan, 0 to fit.");
    var ctx = canvas.getContext("2d");
    var status = document.createElement("p");
    status.className = "graph-status";
    status.setAttribute("aria-live", "polite");
    var tip = document.createElement("div");
    tip.className = "graph-tip";
    tip.hidden = true;
    var find = document.createElement("input");
    find.type = "search";
    find.className = "graph-find";
    find.placeholder = "Find a note";
    find.setAttribute("aria-label", "Find a note in the graph");
    find.setAttribute("list", "graph-find-list");
    var datalist = document.createElement("datalist");
    datalist.id = "graph-find-list";
    var tools = document.createElement("div");
    tools.className = "graph-tools";
    box.textContent = "";
    box.appendChild(canvas); box.appendChild(tools); box.appendChild(find); box.appendChild(datalist);
    box.appendChild(status); box.appendChild(tip);

    var colours = {}, W = 0, H = 0, dpr = 1;
    function readColours() {
      var css = getComputedStyle(document.documentElement);
      ["--fg", "--bg", "--muted", "--edge", "--ghost", "--accent"].forEach(function (v) { colours[v] = css.getPropertyValue(v).trim(); });
      colours.groups = [];
      for (var g = 0; g <= 8; g++) colours.groups.push(css.getPropertyValue("--g" + g).trim());
    }
    // the view: screen = world * k + (tx, ty)
    var k = 1, tx = 0, ty = 0, k0 = 1, hovered = -1, picked = -1, frame = 0;
    function fit() {
      var top = Math.min(64, H / 8);  // room for the find box and the labels of the top clusters
      k0 = Math.min(W, H - top) / (data.size || 1) * 0.96;
      k = k0;
      tx = (W - data.size * k) / 2;
      ty = top + (H - top - data.size * k) / 2;
    }
    function resize() {
      var r = box.getBoundingClientRect();
      dpr = window.devicePixelRatio || 1;
      var first = !W;
      W = Math.max(1, r.width); H = Math.max(1, r.height);
      canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
      if (first) fit();
      draw();
    }
    function shownCount() { return Math.min(N, Math.round(BASE * Math.max(1, (k / k0) * (k / k0)))); }
    function edgesAmong(n) {  // edges are sorted by their later end: binary search the prefix
      var lo = 0, hi = E;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (edges[2 * mid + 1] < n) lo = mid + 1; else hi = mid; }
      return lo;
    }
    // on screen, nodes grow more slowly than the distances between them as you zoom in; at
    // the start the biggest is at least 10 px however large the world is
    function radius(i) { return Math.max(1.6, R[i] * Math.max(k0, 10 / (R[0] || 1)) * Math.sqrt(k / k0)); }
    function draw() {
      if (frame) return;
      frame = requestAnimationFrame(paint);
    }
    function paint() {
      frame = 0;
      var t0 = performance.now();
      var n = shownCount(), focus = hovered >= 0 ? hovered : picked;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, W, H);
      var left = -tx / k, top = -ty / k, right = (W - tx) / k, bottom = (H - ty) / k;
      // clusters, fading out as the notes take over
      var zoom = k / k0, fade = N > BASE ? Math.max(0, Math.min(1, (3 - zoom) / 2)) : 0;
      if (fade > 0) {
        ctx.globalAlpha = 0.07 * fade;
        ctx.fillStyle = colours["--muted"];
        ctx.beginPath();
        data.clusters.forEach(function (c) {
          ctx.moveTo(c.x * k + tx + c.r * k, c.y * k + ty);
          ctx.arc(c.x * k + tx, c.y * k + ty, c.r * k, 0, 6.2832);
        });
        ctx.fill();
      }
      // far out: links between clusters bundled, one line per pair of clusters
      if (fade > 0) {
        ctx.globalAlpha = 0.3 * fade;
        ctx.strokeStyle = colours["--edge"];
        clusterLinks.forEach(function (l) {
          var a = data.clusters[l[0]], b = data.clusters[l[1]];
          ctx.lineWidth = Math.min(10, 0.5 + Math.log2(1 + l[2]) * 0.7);
          ctx.beginPath(); ctx.moveTo(a.x * k + tx, a.y * k + ty); ctx.lineTo(b.x * k + tx, b.y * k + ty); ctx.stroke();
        });
      }
      // edges among the shown nodes with an end on screen, the most important first (a cap
      // drops the least); edges leaving a cluster or crossing the view go in a fainter path
      var m = Math.min(edgesAmong(n), MAX_EDGES), drawn = 0, reach = Math.max(W, H) * 0.6;
      var near = new Path2D(), far = new Path2D();
      for (var e = 0; e < m && drawn < MAX_DRAWN; e++) {
        var a = edges[2 * e], b = edges[2 * e + 1];
        var ax = X[a], ay = Y[a], bx = X[b], by = Y[b];
        var inA = ax >= left && ax <= right && ay >= top && ay <= bottom;
        if (!inA && !(bx >= left && bx <= right && by >= top && by <= bottom)) continue;
        var sx = ax * k + tx, sy = ay * k + ty, ex = bx * k + tx, ey = by * k + ty;
        var path = M[a] !== M[b] || Math.abs(ex - sx) + Math.abs(ey - sy) > reach ? far : near;
        path.moveTo(sx, sy);
        path.lineTo(ex, ey);
        drawn++;
      }
      var alpha = focus >= 0 ? 0.25 : Math.max(0.3, Math.min(0.8, 400 / Math.max(drawn, 1) + 0.25));
      ctx.strokeStyle = colours["--edge"];
      ctx.lineWidth = 1;
      ctx.globalAlpha = alpha;
      ctx.stroke(near);
      ctx.globalAlpha = alpha * 0.35 * (1 - fade);
      if (ctx.globalAlpha > 0.01) ctx.stroke(far);
      // nodes on screen, one path per colour
      var visible = [];
      for (var i = 0; i < n; i++) {
        var r = radius(i) / k;
        if (X[i] >= left - r && X[i] <= right + r && Y[i] >= top - r && Y[i] <= bottom + r) visible.push(i);
      }
      nodes(visible, focus >= 0 ? 0.2 : 1);
      ctx.globalAlpha = 1;
      var labels = [];
      if (focus >= 0) {  // the focused node, its links and neighbours, even those not yet shown
        ctx.strokeStyle = colours["--accent"];
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        for (var j = offsets[focus]; j < offsets[focus + 1]; j++) {
          ctx.moveTo(X[focus] * k + tx, Y[focus] * k + ty);
          ctx.lineTo(X[adj[j]] * k + tx, Y[adj[j]] * k + ty);
        }
        ctx.stroke();
        for (j = offsets[focus]; j < offsets[focus + 1]; j++) labels.push(adj[j]);
        nodes(labels.concat([focus]), 1);
        ctx.strokeStyle = colours["--fg"];
        ctx.lineWidth = 2.5;
        ctx.beginPath(); ctx.arc(X[focus] * k + tx, Y[focus] * k + ty, radius(focus) + 2, 0, 6.2832); ctx.stroke();
      }
      // labels, none over another: clusters when far out, the focus and its neighbours, big nodes
      var taken = new Set();
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.lineJoin = "round";
      function place(text, sx, sy, strong) {  // claim 40 x 16 px cells; false when some are taken
        var w = ctx.measureText(text).width;
        var x0 = Math.floor((sx - w / 2) / 40), x1 = Math.floor((sx + w / 2) / 40), row = Math.floor(sy / 16);
        if (!strong) for (var c = x0; c <= x1; c++) if (taken.has(c * 1000 + row) || taken.has(c * 1000 + row + 1)) return false;
        for (c = x0; c <= x1; c++) { taken.add(c * 1000 + row); taken.add(c * 1000 + row + 1); }
        return true;
      }
      function write(text, sx, sy, colour, halo) {
        ctx.lineWidth = halo; ctx.strokeStyle = colours["--bg"]; ctx.strokeText(text, sx, sy);
        ctx.fillStyle = colour; ctx.fillText(text, sx, sy);
      }
      if (fade > 0) {
        ctx.globalAlpha = fade;
        ctx.font = "600 14px system-ui, sans-serif";
        data.clusters.slice(0, 24).forEach(function (c) {
          if (c.size < N / 200 && data.clusters.length > 4) return;
          var sx = c.x * k + tx, sy = (c.y - c.r) * k + ty - 18;
          if (place(c.label, sx, sy, false)) write(c.label, sx, sy, colours["--muted"], 4);
        });
        ctx.globalAlpha = 1;
      }
      ctx.font = "12px system-ui, sans-serif";
      function label(i, strong) {
        var sx = X[i] * k + tx, sy = Y[i] * k + ty + radius(i) + 2;
        if (sx < -50 || sx > W + 50 || sy < -20 || sy > H + 20) return;
        var text = cols.title[i].length > 32 ? cols.title[i].slice(0, 31) + "…" : cols.title[i];
        if (place(text, sx, sy, strong)) write(text, sx, sy, cols.k[i] ? colours["--ghost"] : colours["--fg"], 3);
      }
      if (focus >= 0) { label(focus, true); labels.forEach(function (i) { label(i, false); }); }
      if (fade < 1 || N <= BASE) {
        var budget = 0;
        for (i = 0; i < n && budget < 120; i++) {
          if (X[i] < left || X[i] > right || Y[i] < top || Y[i] > bottom) continue;
          if (radius(i) >= 4.5 || zoom > 6 || N <= 60) { label(i, false); budget++; }
        }
      }
      status.textContent = "Showing " + n.toLocaleString() + " of " + N.toLocaleString() + (n < N ? " · zoom in for more" : "");
      box.paintTimes.push(performance.now() - t0);  // read by benchmarks/graph_page.py
      if (box.paintTimes.length > 200) box.paintTimes.shift();
    }
    function nodes(list, alpha) {
      var groups = [];
      for (var g = 0; g < 10; g++) groups.push([]);
      list.forEach(function (i) { groups[cols.k[i] ? 9 : (cols.c[i] || 0)].push(i); });
      ctx.globalAlpha = alpha;
      groups.forEach(function (members, g) {
        if (!members.length) return;
        ctx.beginPath();
        members.forEach(function (i) {
          var sx = X[i] * k + tx, sy = Y[i] * k + ty, r = radius(i);
          ctx.moveTo(sx + r, sy);
          ctx.arc(sx, sy, r, 0, 6.2832);
        });
        if (g < 9) {
          ctx.fillStyle = colours.groups[g] || colours.groups[0];
          ctx.fill();
        } else {  // concepts without a note: hollow, dashed
          ctx.fillStyle = colours["--bg"];
          ctx.fill();
          ctx.setLineDash([2.5, 2]);
          ctx.lineWidth = 1.5;
          ctx.strokeStyle = colours["--ghost"];
          ctx.stroke();
          ctx.setLineDash([]);
        }
      });
    }
    function nodeAt(px, py) {
      var wx = (px - tx) / k, wy = (py - ty) / k, n = shownCount(), best = -1, bestD = Infinity;
      var reach = Math.max(8, radius(0) + 4) / k, c0 = Math.floor((wx - reach) / cell), c1 = Math.floor((wx + reach) / cell);
      var r0 = Math.floor((wy - reach) / cell), r1 = Math.floor((wy + reach) / cell);
      for (var cx = c0; cx <= c1; cx++) for (var cy = r0; cy <= r1; cy++) {
        var list = grid.get(cx * 4096 + cy);
        if (!list) continue;
        for (var j = 0; j < list.length; j++) {
          var i = list[j];
          var visible = i < n || (hovered >= 0 && isNeighbour(hovered, i));
          if (!visible) continue;
          var d = Math.hypot((X[i] - wx) * k, (Y[i] - wy) * k);
          if (d <= Math.max(radius(i), 6) + 2 && d < bestD) { best = i; bestD = d; }
        }
      }
      return best;
    }
    function isNeighbour(a, b) {
      for (var j = offsets[a]; j < offsets[a + 1]; j++) if (adj[j] === b) return true;
      return a === b;
    }
    function zoomAt(factor, px, py) {
      var nk = Math.max(k0 * 0.5, Math.min(k0 * 400, k * factor));
      tx = px - (px - tx) * (nk / k);
      ty = py - (py - ty) * (nk / k);
      k = nk;
      draw();
    }
    function showTip(i, px, py) {
      if (i < 0) { tip.hidden = true; return; }
      tip.textContent = cols.title[i] + (cols.k[i] ? " (no note yet)" : "");
      tip.hidden = false;
      tip.style.left = Math.min(px + 14, W - tip.offsetWidth - 4) + "px";
      tip.style.top = Math.max(4, py - 30) + "px";
    }
    function open(i) {
      if (i >= 0 && cols.url[i]) location.href = new URL(ROOT + cols.url[i], location.href).href;
    }
    function centreOn(i, zoom) {
      k = Math.max(k, k0 * (zoom || 6));
      tx = W / 2 - X[i] * k;
      ty = H / 2 - Y[i] * k;
      picked = i;
      draw();
    }

    // pointer: drag to pan, pinch or wheel to zoom, hover to highlight, click to open
    var pointers = new Map(), dragged = false, pinch = 0;
    function local(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
    canvas.addEventListener("pointerdown", function (e) {
      canvas.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, local(e));
      dragged = false;
      if (pointers.size === 2) { var p = Array.from(pointers.values()); pinch = Math.hypot(p[0][0] - p[1][0], p[0][1] - p[1][1]); }
    });
    canvas.addEventListener("pointermove", function (e) {
      var p = local(e);
      if (pointers.has(e.pointerId)) {
        var last = pointers.get(e.pointerId);
        pointers.set(e.pointerId, p);
        if (pointers.size === 2) {
          var q = Array.from(pointers.values()), d = Math.hypot(q[0][0] - q[1][0], q[0][1] - q[1][1]);
          if (pinch) zoomAt(d / pinch, (q[0][0] + q[1][0]) / 2, (q[0][1] + q[1][1]) / 2);
          pinch = d; dragged = true;
          return;
        }
        if (dragged || Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) > 2) {
          dragged = true;
          canvas.classList.add("dragging");
          tx += p[0] - last[0]; ty += p[1] - last[1];
          draw();
        } else {
          pointers.set(e.pointerId, last);
        }
        return;
      }
      var i = nodeAt(p[0], p[1]);
      if (i !== hovered) { hovered = i; canvas.classList.toggle("pointing", i >= 0); draw(); }
      showTip(i, p[0], p[1]);
    });
    function release(e) {
      var p = pointers.get(e.pointerId);
      pointers.delete(e.pointerId);
      canvas.classList.remove("dragging");
      if (pointers.size < 2) pinch = 0;
      if (e.type === "pointerup" && p && !dragged && pointers.size === 0) open(nodeAt(p[0], p[1]));
    }
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
    canvas.addEventListener("pointerleave", function () { if (!pointers.size) { hovered = -1; tip.hidden = true; draw(); } });
    canvas.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = local(e);
      zoomAt(Math.exp(-e.deltaY * (e.deltaMode ? 0.05 : 0.0015)), p[0], p[1]);
    }, { passive: false });
    canvas.addEventListener("keydown", function (e) {
      var step = 60;
      if (e.key === "+" || e.key === "=") zoomAt(1.4, W / 2, H / 2);
      else if (e.key === "-" || e.key === "_") zoomAt(1 / 1.4, W / 2, H / 2);
      else if (e.key === "0") { fit(); draw(); }
      else if (e.key === "ArrowLeft") { tx += step; draw(); }
      else if (e.key === "ArrowRight") { tx -= step; draw(); }
      else if (e.key === "ArrowUp") { ty += step; draw(); }
      else if (e.key === "ArrowDown") { ty -= step; draw(); }
      else if (e.key === "Enter" && picked >= 0) open(picked);
      else return;
      e.preventDefault();
    });
    [["+", "Zoom in", function () { zoomAt(1.5, W / 2, H / 2); }],
     ["−", "Zoom out", function () { zoomAt(1 / 1.5, W / 2, H / 2); }],
     ["⟲", "Fit the whole graph", function () { picked = -1; fit(); draw(); }]].forEach(function (t) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = t[0]; b.title = t[1]; b.setAttribute("aria-label", t[1]);
      b.addEventListener("click", t[2]);
      tools.appendChild(b);
    });
    // find a note: suggestions from the titles, best linked first
    function matches(q) {
      q = q.trim().toLowerCase();
      var out = [];
      if (!q) return out;
      for (var i = 0; i < N && out.length < 12; i++) if (cols.title[i].toLowerCase().indexOf(q) >= 0) out.push(i);
      return out;
    }
    find.addEventListener("input", function () {
      datalist.textContent = "";
      matches(find.value).forEach(function (i) {
        var o = document.createElement("option"); o.value = cols.title[i]; datalist.appendChild(o);
      });
      var exact = cols.title.indexOf(find.value);
      if (exact >= 0) centreOn(exact);
    });
    find.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        var found = matches(find.value);
        if (found.length) { centreOn(found[0]); canvas.focus(); }
      }
    });

    readColours();
    window.addEventListener("kbgen:theme", function () { readColours(); draw(); });
    if (window.ResizeObserver) new ResizeObserver(resize).observe(box); else window.addEventListener("resize", resize);
    resize();
    requestAnimationFrame(function () {
      box.dataset.ready = String(Math.round(performance.now()));  // ms since navigation start
      box.dispatchEvent(new CustomEvent("kbgen:graph-ready"));
    });
  }
})();
