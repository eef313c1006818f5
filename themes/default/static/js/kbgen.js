// kbgen: enhancements for every page. Each page is complete without this script; it adds the
// theme toggle, the explorer tree, search, the table of contents' scroll spy, hover previews
// and the local graph's hover, zoom and pan.
(function () {
  "use strict";
  var doc = document, html = doc.documentElement, body = doc.body;
  var ROOT = body.getAttribute("data-root") || "";
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  function $(sel, el) { return (el || doc).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(sel)); }
  function el(tag, attrs, text) {
    var e = doc.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  // A site-relative URL ("iam/iam-role.html") as an absolute one, from this page's root.
  function siteUrl(rel) { return new URL(ROOT + rel, location.href); }
  function samePage(a, b) {
    var clean = function (p) { return p.replace(/index\.html$/, ""); };
    return clean(a.pathname) === clean(b.pathname);
  }

  // -- light / dark -----------------------------------------------------------------------
  var dark = matchMedia("(prefers-color-scheme: dark)");
  var toggle = $(".theme-toggle");
  function isDark() { return html.dataset.theme ? html.dataset.theme === "dark" : dark.matches; }
  function showTheme() {
    if (toggle) {
      toggle.setAttribute("aria-pressed", String(isDark()));
      toggle.title = isDark() ? "Light mode" : "Dark mode";
    }
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      html.dataset.theme = isDark() ? "light" : "dark";
      store.set("kbgen-theme", html.dataset.theme);
      showTheme();
      window.dispatchEvent(new Event("kbgen:theme"));
    });
    if (dark.addEventListener) dark.addEventListener("change", function () { showTheme(); window.dispatchEvent(new Event("kbgen:theme")); });
    showTheme();
  }

  // -- explorer ---------------------------------------------------------------------------
  var explorer = $("#explorer"), navToggle = $(".nav-toggle");
  var OPEN_KEY = "kbgen-explorer-open";
  function openFolders() {
    try { return JSON.parse(store.get(OPEN_KEY) || "[]"); } catch (e) { return []; }
  }
  function rememberFolder(url, open) {
    var list = openFolders().filter(function (u) { return u !== url; });
    if (open) list.push(url);
    store.set(OPEN_KEY, JSON.stringify(list.slice(-200)));
  }
  // this page's URL from the site root ("iam/iam-role.html"), to compare with the tree's URLs
  var rootPath = siteUrl("").pathname.replace(/[^/]*$/, "");
  var here = decodeURI(location.pathname.slice(rootPath.length)).replace(/(^|\/)$/, "$1index.html");
  function containsPage(folder) {  // a folder's notes live under its own path
    return here.indexOf(folder.url.replace(/index\.html$/, "")) === 0;
  }
  function noteItem(note) {
    var li = el("li", { "class": "note-item" });
    var a = el("a", { href: siteUrl(note.url).href }, note.title);
    if (note.url === here) a.setAttribute("aria-current", "page");
    li.appendChild(a);
    return li;
  }
  function folderItem(folder, remembered) {
    var li = el("li", { "class": "folder" });
    var row = el("div", { "class": "row" });
    var id = "x" + Math.random().toString(36).slice(2, 9);
    var button = el("button", { "class": "fold", type: "button", "aria-expanded": "false", "aria-controls": id });
    button.appendChild(el("span", { "class": "sr-only" }, "Show " + folder.name));
    var link = el("a", { href: siteUrl(folder.url).href }, folder.name);
    if (folder.url === here) link.setAttribute("aria-current", "page");
    row.appendChild(button);
    row.appendChild(link);
    li.appendChild(row);
    var list = null;
    function setOpen(open) {
      if (open && !list) {  // children are built on first opening: big vaults stay cheap
        list = el("ul", { id: id });
        folder.folders.forEach(function (f) { list.appendChild(folderItem(f, remembered)); });
        folder.notes.forEach(function (n) { list.appendChild(noteItem(n)); });
        li.appendChild(list);
      }
      if (list) list.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.firstChild.textContent = (open ? "Hide " : "Show ") + folder.name;
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      setOpen(open);
      rememberFolder(folder.url, open);
    });
    if (remembered.indexOf(folder.url) >= 0 || containsPage(folder)) setOpen(true);
    return li;
  }
  function buildExplorer(tree) {
    var remembered = openFolders();
    var list = el("ul", { "class": "tree" });
    tree.folders.forEach(function (f) { list.appendChild(folderItem(f, remembered)); });
    tree.notes.forEach(function (n) { list.appendChild(noteItem(n)); });
    explorer.appendChild(list);
    var current = $("[aria-current=page]", list);
    if (current && current.scrollIntoView && explorer.scrollHeight > explorer.clientHeight) {
      current.scrollIntoView({ block: "center" });
      window.scrollTo(0, 0);
    }
  }
  if (explorer && explorer.dataset.src) {
    fetch(explorer.dataset.src).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(buildExplorer).catch(function () { /* the home link stays */ });
  }
  if (navToggle && explorer) {
    var setNav = function (open) {
      explorer.classList.toggle("open", open);
      navToggle.setAttribute("aria-expanded", String(open));
    };
    navToggle.addEventListener("click", function () {
      var open = !explorer.classList.contains("open");
      setNav(open);
      if (open) { var first = $("a[aria-current], a", explorer); if (first) first.focus(); }
    });
    doc.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && explorer.classList.contains("open")) { setNav(false); navToggle.focus(); }
    });
    doc.addEventListener("click", function (e) {
      if (explorer.classList.contains("open") && !explorer.contains(e.target) && !navToggle.contains(e.target)) setNav(false);
    });
  }

  // -- search (Pagefind, loaded on first use) ---------------------------------------------
  var searchBox = $("#search"), dialog = null, pagefind = null;
  // The index may come in shards: the primary bundle (pagefind.js, its WebAssembly, the first
  // pages) and further bundles of data only, listed in kbgen-shards.json, which Pagefind merges
  // and searches with the primary's WebAssembly.
  function loadPagefind() {
    if (!pagefind) {
      var bundle = new URL(searchBox.dataset.pagefind, location.href);
      // baseUrl "/": result URLs come relative to the site root, whatever the sub-path
      var opts = { excerptLength: 26, baseUrl: "/" };
      var list = fetch(new URL("kbgen-shards.json", bundle).href, { cache: "no-cache" })
        .then(function (r) { return r.ok ? r.json() : { shards: [] }; })
        .catch(function () { return { shards: [] }; });
      pagefind = Promise.all([import(new URL("pagefind.js", bundle).href), list]).then(function (got) {
        var pf = got[0], shards = (got[1] && got[1].shards) || [];
        return pf.options(opts).then(function () {
          pf.init();
          return Promise.all(shards.filter(function (s) { return s.path; }).map(function (s) {
            return pf.mergeIndex(new URL(s.path, bundle).href, opts);
          }));
        }).then(function () { return pf; });
      });
    }
    return pagefind;
  }
  // Pagefind's URLs start at the site root ("/sts/aws-sts.html"); the site may live under a
  // sub-path, so rebase them on this page's relative root.
  function resultUrl(url) { return siteUrl(url.replace(/^\//, "")).href; }
  // Excerpts are text with <mark> around matches: rebuild them from text nodes and marks only.
  function excerpt(htmlText) {
    var t = doc.createElement("template"), out = doc.createDocumentFragment();
    t.innerHTML = htmlText || "";
    t.content.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.nodeName === "MARK") out.appendChild(el("mark", null, n.textContent));
      else out.appendChild(doc.createTextNode(n.textContent));
    });
    return out;
  }
  function openSearch() {
    if (!dialog) dialog = buildSearch();
    if (!dialog.open) dialog.showModal();
    var input = $("input", dialog);
    input.focus();
    input.select();
    loadPagefind().catch(function () { $(".search-status", dialog).textContent = "Search is not available on this copy of the site."; });
  }
  function buildSearch() {
    var d = el("dialog", { "class": "search-dialog", "aria-label": "Search" });
    var form = el("form", { "class": "search-bar", role: "search", method: "dialog" });
    var input = el("input", { type: "search", placeholder: "Search notes", "aria-label": "Search notes", autocomplete: "off",
      spellcheck: "false", role: "combobox", "aria-expanded": "false", "aria-controls": "search-results", "aria-autocomplete": "list" });
    var select = el("select", { "aria-label": "Only notes tagged" });
    select.appendChild(el("option", { value: "" }, "All tags"));
    form.appendChild(input);
    form.appendChild(select);
    var status = el("p", { "class": "search-status", role: "status" });
    var list = el("ol", { "class": "search-results", id: "search-results", role: "listbox", "aria-label": "Results" });
    var hint = el("p", { "class": "search-hint" }, "\"quotes\" find an exact phrase · #tag filters · ↑ ↓ to move · Enter to open · Esc to close");
    d.appendChild(form); d.appendChild(status); d.appendChild(list); d.appendChild(hint);
    body.appendChild(d);
    d.addEventListener("click", function (e) { if (e.target === d) d.close(); });  // backdrop
    loadPagefind().then(function (pf) { return pf.filters(); }).then(function (filters) {
      var tags = Object.keys((filters && filters.tag) || {}).sort();
      tags.forEach(function (t) { select.appendChild(el("option", { value: t }, "#" + t + " (" + filters.tag[t] + ")")); });
      select.hidden = !tags.length;
    }).catch(function () { select.hidden = true; });
    var active = -1, serial = 0;
    function options() { return $$("[role=option]", list); }
    function setActive(i) {
      var opts = options();
      if (!opts.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = (i + opts.length) % opts.length;
      opts.forEach(function (o, j) { o.setAttribute("aria-selected", String(j === active)); });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }
    function run() {
      var query = input.value.trim(), tag = select.value;
      var tags = [];
      query = query.replace(/(^|\s)#([^\s#"]+)/g, function (m, sp, t) { tags.push(t.toLowerCase()); return sp; }).trim();
      if (tag) tags.push(tag);
      var mine = ++serial;
      if (!query && !tags.length) { list.textContent = ""; status.textContent = ""; input.setAttribute("aria-expanded", "false"); return; }
      loadPagefind().then(function (pf) {
        var opts = tags.length ? { filters: { tag: tags.length === 1 ? tags[0] : tags } } : {};
        return pf.debouncedSearch(query || null, opts, 120);
      }).then(function (found) {
        if (!found || mine !== serial) return null;
        return Promise.all(found.results.slice(0, 12).map(function (r) { return r.data(); })).then(function (pages) {
          return { total: found.results.length, pages: pages };
        });
      }).then(function (res) {
        if (!res || mine !== serial) return;
        showResults(res, query);
      }).catch(function () { status.textContent = "Search is not available on this copy of the site."; });
    }
    function showResults(res, query) {
      list.textContent = "";
      var n = 0;
      res.pages.forEach(function (page) {
        var li = el("li", { role: "none" }), title = (page.meta && page.meta.title) || "";
        var a = el("a", { href: resultUrl(page.url), role: "option", id: "sr-" + n++, "aria-selected": "false" });
        a.appendChild(el("span", { "class": "result-title" }, title || page.url));
        var folder = decodeURI(page.url.replace(/^\//, "")).split("/").slice(0, -1).join(" › ");
        if (folder) a.appendChild(el("span", { "class": "result-path" }, folder));
        var subs = (page.sub_results || []).filter(function (s) {
          return s.anchor && s.url.indexOf("#") > 0 && s.title !== title;  // not the page's own heading
        }).slice(0, 3);
        var p = el("p", { "class": "excerpt" });
        p.appendChild(excerpt((subs.length && !page.excerpt ? subs[0].excerpt : page.excerpt)));
        a.appendChild(p);
        li.appendChild(a);
        if (query && subs.length) {
          var ul = el("ul", { role: "group", "aria-label": "Sections of " + title });
          subs.forEach(function (s) {
            var sa = el("a", { href: resultUrl(s.url), role: "option", id: "sr-" + n++, "aria-selected": "false" });
            sa.appendChild(el("span", { "class": "sub-title" }, s.title));
            var sp = el("p", { "class": "excerpt" });
            sp.appendChild(excerpt(s.excerpt));
            sa.appendChild(sp);
            var sli = el("li", { role: "none" });
            sli.appendChild(sa);
            ul.appendChild(sli);
          });
          li.appendChild(ul);
        }
        list.appendChild(li);
      });
      var shown = res.pages.length;
      status.textContent = res.total ? (res.total + (res.total === 1 ? " note" : " notes") + (res.total > shown ? ", the best " + shown + " shown" : "")) : "No notes found";
      input.setAttribute("aria-expanded", String(shown > 0));
      setActive(shown ? 0 : -1);
    }
    input.addEventListener("input", run);
    select.addEventListener("change", run);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); d.close(); }  // not just clear the field
      else if (e.key === "ArrowDown") { e.preventDefault(); setActive(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); setActive(active - 1); }
      else if (e.key === "Enter") {
        e.preventDefault();
        var opts = options();
        if (opts[active]) opts[active].click();
      }
    });
    list.addEventListener("click", function (e) {
      var a = e.target.closest && e.target.closest("a");
      if (a && samePage(new URL(a.href), location)) d.close();  // same page, other heading
    });
    return d;
  }
  if (searchBox) {
    $(".search-open", searchBox).addEventListener("click", openSearch);
    doc.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if ((e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey)) { e.preventDefault(); openSearch(); }
      else if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); openSearch(); }
    });
  }

  // -- table of contents: highlight the section being read ---------------------------------
  var tocLinks = $$(".toc a[href^='#']");
  if (tocLinks.length) {
    var targets = tocLinks.map(function (a) { return doc.getElementById(decodeURIComponent(a.hash.slice(1))); });
    var ticking = false;
    var spy = function () {
      ticking = false;
      var current = 0;
      for (var i = 0; i < targets.length; i++) {
        if (targets[i] && targets[i].getBoundingClientRect().top < 110) current = i;
      }
      if (innerHeight + scrollY >= doc.documentElement.scrollHeight - 2) {  // at the bottom: the last
        for (var j = targets.length - 1; j >= 0; j--) if (targets[j] && targets[j].getBoundingClientRect().top < innerHeight) { current = j; break; }
      }
      tocLinks.forEach(function (a, k) {
        a.classList.toggle("active", k === current);
        if (k === current) a.setAttribute("aria-current", "location"); else a.removeAttribute("aria-current");
      });
    };
    addEventListener("scroll", function () { if (!ticking) { ticking = true; requestAnimationFrame(spy); } }, { passive: true });
    spy();
  }

  // -- hover previews -----------------------------------------------------------------------
  var canHover = !matchMedia("(hover: none)").matches;
  var pages = {}, popover = null, showTimer = 0, hideTimer = 0, owner = null;
  function fetchPage(url) {
    var key = url.split("#")[0];
    if (!pages[key]) {
      pages[key] = fetch(key).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      }).then(function (text) { return new DOMParser().parseFromString(text, "text/html"); });
      pages[key].catch(function () { delete pages[key]; });
    }
    return pages[key];
  }
  function previewContent(page, url) {
    var bodyEl = $(".note-body", page) || $(".note", page);
    if (!bodyEl) return null;
    var box = doc.createDocumentFragment();
    var title = $(".note-title", page), first = bodyEl.firstElementChild;
    var same = first && /^H[1-3]$/.test(first.tagName) && title && first.textContent.trim() === title.textContent.trim();
    if (title && !same) box.appendChild(el("h1", { "class": "popover-title" }, title.textContent));
    var content = doc.importNode(bodyEl, true);
    content.classList.add("markdown-rendered");
    // links and images inside were written relative to the other page
    $$("[href], [src]", content).forEach(function (n) {
      ["href", "src"].forEach(function (attr) {
        var v = n.getAttribute(attr);
        if (v && !/^[a-z][a-z0-9+.-]*:/i.test(v)) n.setAttribute(attr, new URL(v, url).href);
      });
    });
    $$("[id]", content).forEach(function (n) { n.setAttribute("data-id", n.id); n.removeAttribute("id"); });
    $$("script", content).forEach(function (n) { n.remove(); });
    box.appendChild(content);
    return box;
  }
  function place(link) {
    var r = link.getBoundingClientRect();
    var w = popover.offsetWidth, h = popover.offsetHeight;
    var left = Math.min(Math.max(8, r.left), innerWidth - w - 8);
    var below = r.bottom + 8, above = r.top - h - 8;
    var top = (below + h <= innerHeight || above < 0) ? below : above;
    popover.style.left = (left + scrollX) + "px";
    popover.style.top = (top + scrollY) + "px";
  }
  function hidePreview() {
    clearTimeout(showTimer);
    if (popover) { popover.remove(); popover = null; }
    if (owner) { owner.removeAttribute("aria-describedby"); owner = null; }
  }
  function showPreview(link) {
    var url = new URL(link.href, location.href);
    fetchPage(url.href).then(function (page) {
      if (owner !== link) return;
      var content = previewContent(page, url.href);
      if (!content) return;
      if (popover) popover.remove();
      popover = el("div", { "class": "popover", id: "kbgen-preview", role: "tooltip" });
      popover.appendChild(content);
      popover.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
      popover.addEventListener("mouseleave", scheduleHide);
      body.appendChild(popover);
      link.setAttribute("aria-describedby", "kbgen-preview");
      place(link);
      var frag = decodeURIComponent(url.hash.slice(1));
      if (frag) {
        var target = popover.querySelector("[data-id=\"" + (window.CSS && CSS.escape ? CSS.escape(frag) : frag) + "\"]");
        if (target) {
          target.classList.add("target");
          popover.scrollTop = target.getBoundingClientRect().top - popover.getBoundingClientRect().top + popover.scrollTop - 12;
        }
      }
    }).catch(function () { /* no preview: the link still works */ });
  }
  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hidePreview, 250);
  }
  function previewable(a) {
    if (!a || !a.classList || !a.classList.contains("internal-link") || (popover && popover.contains(a))) return false;
    var url = new URL(a.href, location.href);
    return url.origin === location.origin && /(\.html|\/)$/.test(url.pathname)  // pages, not attachments
      && !(samePage(url, location) && !url.hash);
  }
  function startPreview(a, delay) {
    if (owner === a && popover) { clearTimeout(hideTimer); return; }
    hidePreview();
    owner = a;
    showTimer = setTimeout(function () { showPreview(a); }, delay);
  }
  if (canHover) {
    doc.addEventListener("mouseover", function (e) {
      var a = e.target.closest && e.target.closest("a");
      if (previewable(a)) { clearTimeout(hideTimer); startPreview(a, 350); }
    });
    doc.addEventListener("mouseout", function (e) {
      var a = e.target.closest && e.target.closest("a");
      if (a && a === owner && !(e.relatedTarget && a.contains(e.relatedTarget))) scheduleHide();
    });
    doc.addEventListener("focusin", function (e) {
      if (previewable(e.target)) startPreview(e.target, 500);
      else if (!(popover && popover.contains(e.target))) hidePreview();
    });
    doc.addEventListener("keydown", function (e) { if (e.key === "Escape" && popover) { hidePreview(); } });
    addEventListener("scroll", function () { if (popover && owner && !popover.matches(":hover")) place(owner); }, { passive: true });
  }

  // -- printing: folded callouts print open --------------------------------------------------
  addEventListener("beforeprint", function () {
    $$("details:not([open])").forEach(function (d) { d.open = true; d.dataset.printOpened = "1"; });
  });
  addEventListener("afterprint", function () {
    $$("details[data-print-opened]").forEach(function (d) { d.open = false; delete d.dataset.printOpened; });
  });

  // -- local graph: neighbours on hover, zoom and pan ----------------------------------------
  // The page carries only what the picture without script needs: one path of every edge
  // (polylines through the nodes' points) and, as labels, the few that fit. The edges are read
  // back from the path, each end known by its point; the other labels are made from titles.
  var SVG = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var e = doc.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  $$("svg.graph[data-size]").forEach(function (svg) {
    var size = +svg.dataset.size, view = { x: 0, y: 0, w: size };
    var nodes = $$(".nodes > *", svg), at = {}, links = nodes.map(function () { return []; });
    nodes.forEach(function (n, i) {
      var c = n.querySelector("circle"), x = +c.getAttribute("cx"), y = +c.getAttribute("cy");
      at[x + " " + y] = i;
      if (!n.querySelector("text")) {  // the same label the page would have written
        var t = Array.from(n.querySelector("title").textContent.replace(/ \(no note yet\)$/, ""));
        var label = t.length <= 22 ? t.join("") : t.slice(0, 21).join("").trimEnd() + "…";
        var side = x < size * 0.2 ? "start" : x > size * 0.8 ? "end" : null;
        var text = svgEl("text", { x: x, y: Math.round(y + +c.getAttribute("r") + 9) }, label);
        if (side) text.setAttribute("class", side);
        n.appendChild(text);
      }
    });
    var path = $(".edges", svg), lit = svgEl("g", { "class": "lit" });
    path.parentNode.insertBefore(lit, path.nextSibling);
    path.getAttribute("d").split("M").forEach(function (trail) {
      var v = trail.replace("L", " ").trim().split(/\s+/), prev = null;
      for (var k = 0; k + 1 < v.length; k += 2) {
        var i = at[v[k] + " " + v[k + 1]];
        if (prev != null && i != null) { links[prev].push(i); links[i].push(prev); }
        prev = i;
      }
    });
    function centre(i) { var c = nodes[i].querySelector("circle"); return [c.getAttribute("cx"), c.getAttribute("cy")]; }
    function highlight(node) {
      svg.classList.toggle("hl", !!node);
      $$(".on", svg).forEach(function (e) { e.classList.remove("on"); });
      lit.textContent = "";
      if (!node) return;
      node.classList.add("on");
      var i = nodes.indexOf(node), a = centre(i);
      links[i].forEach(function (j) {
        var b = centre(j);
        nodes[j].classList.add("on");
        lit.appendChild(svgEl("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], "class": "on" }));
      });
    }
    svg.addEventListener("mouseover", function (e) { var n = e.target.closest(".nodes > *"); if (n) highlight(n); });
    svg.addEventListener("mouseleave", function () { highlight(null); });
    svg.addEventListener("focusin", function (e) { var n = e.target.closest(".nodes > *"); if (n) highlight(n); });
    svg.addEventListener("focusout", function () { highlight(null); });
    function apply() {
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.w].map(function (v) { return Math.round(v * 10) / 10; }).join(" "));
      svg.classList.toggle("zoomed", view.w < size * 0.6);
    }
    function zoom(factor, cx, cy) {
      var w = Math.min(size * 1.5, Math.max(size / 6, view.w * factor));
      view.x = cx - (cx - view.x) * (w / view.w);
      view.y = cy - (cy - view.y) * (w / view.w);
      view.w = w;
      apply();
    }
    function point(e) {
      var r = svg.getBoundingClientRect();
      return [view.x + (e.clientX - r.left) / r.width * view.w, view.y + (e.clientY - r.top) / r.height * view.w];
    }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = point(e);
      zoom(Math.exp(e.deltaY * 0.0015), p[0], p[1]);
    }, { passive: false });
    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
      moved = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect(), dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!moved) { moved = true; svg.setPointerCapture(e.pointerId); }
      view.x = drag.vx - dx / r.width * view.w;
      view.y = drag.vy - dy / r.height * view.w;
      apply();
    });
    function endDrag() { drag = null; }
    svg.addEventListener("pointerup", endDrag);
    svg.addEventListener("pointercancel", endDrag);
    svg.addEventListener("click", function (e) { if (moved) { e.preventDefault(); moved = false; } }, true);
    svg.addEventListener("dragstart", function (e) { e.preventDefault(); });
    svg.addEventListener("dblclick", function (e) { e.preventDefault(); view = { x: 0, y: 0, w: size }; apply(); });
    var tools = el("div", { "class": "graph-tools" });
    [["+", "Zoom in", 0.7], ["−", "Zoom out", 1 / 0.7], ["⟲", "Reset the view", 0]].forEach(function (t) {
      var b = el("button", { type: "button", title: t[1], "aria-label": t[1] }, t[0]);
      b.addEventListener("click", function () {
        if (t[2]) zoom(t[2], view.x + view.w / 2, view.y + view.w / 2);
        else { view = { x: 0, y: 0, w: size }; apply(); }
      });
      tools.appendChild(b);
    });
    var frame = el("div", { "class": "graph-frame" });
    svg.parentNode.insertBefore(frame, svg);
    frame.appendChild(svg);
    frame.appendChild(tools);
  });
})();
