// 智媒 Zhimei — the story editor: contenteditable over the block model, shortcuts, paste cleaning (server-side
// converter), autosave with drafts kept in localStorage (keyed by story + base version), retry with backoff,
// edit lock with heartbeat and take-over, conflict handling, AI assist panel. No build step.
(function () {
  "use strict";
  // 24-hour HH:MM:SS whatever the browser's locale (a Chinese newsroom reads 15:04:05, not 3:04:05 PM).
  function clockTime(d) { return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":"); }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";

  function ApiError(status, data) {
    var e = data && data.error;
    this.status = status; this.data = data || {};
    this.code = e ? e.code : "";
    this.message = e ? (lang === "en" ? e.message_en + " / " + e.message : e.message + " / " + e.message_en) : ("HTTP " + status);
  }

  function request(method, url, body, raw) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf } };
    if (raw) { opts.body = raw; } else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new ApiError(res.status, data);
        return data;
      });
    });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function splitList(v) { return v.split(/[,，、;；]/).map(function (s) { return s.trim(); }).filter(Boolean); }
  function safeLink(href) { return /^(https?:\/\/|mailto:)/i.test(href || "") ? href : null; }

  // ---------- New story and import (the /stories/new page) ----------
  function showError(form, err) {
    var box = form.querySelector(".form-error");
    if (box) { box.hidden = false; box.textContent = err.message || String(err); }
  }
  var newForm = document.getElementById("story-new-form");
  if (newForm) {
    newForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = { headline: newForm.elements.headline.value, lead: newForm.elements.lead.value, tags: splitList(newForm.elements.tags.value), body: [] };
      if (newForm.elements.topic_id && newForm.elements.topic_id.value) body.topic_id = newForm.elements.topic_id.value;
      request("POST", "/api/v1/stories", body).then(function (s) { window.location.href = "/stories/" + s.id + "/edit"; })
        .catch(function (e) { showError(newForm, e); });
    });
  }
  var importForm = document.getElementById("story-import-form");
  if (importForm) {
    importForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var file = importForm.elements.file.files[0];
      if (!file) return;
      var fd = new FormData(); fd.append("file", file, file.name);
      request("POST", "/api/v1/stories/import", undefined, fd).then(function (s) { window.location.href = "/stories/" + s.id + "/edit"; })
        .catch(function (e) { showError(importForm, e); });
    });
  }

  // ---------- The editor ----------
  var app = document.getElementById("story-editor-app");
  if (!app) return;
  var storyID = app.dataset.storyId;
  var editor = document.getElementById("story-editor");
  var statusEl = document.getElementById("save-status");
  var versionEl = document.getElementById("story-version");
  var T = function (k) { return app.dataset["t" + k.charAt(0).toUpperCase() + k.slice(1)] || k; };
  var DRAFT_PREFIX = "zm-story-draft:" + storyID + ":";

  var state = { version: 0, dirty: false, saving: false, editable: false, changeSeq: 0, retryDelay: 2000, retryTimer: null, aigc: null, conflict: null };

  function setStatus(kind, extra) {
    statusEl.className = "save-status status-" + kind;
    statusEl.textContent = T(kind) + (extra ? " " + extra : "");
  }
  function showBanner(id, show) { var b = document.getElementById(id); if (b) b.hidden = !show; }
  function editorError(msg) { var b = document.getElementById("editor-error"); b.hidden = !msg; b.textContent = msg || ""; }
  function setEditable(on) {
    state.editable = on;
    editor.setAttribute("contenteditable", on ? "true" : "false");
    Array.prototype.forEach.call(app.querySelectorAll("[data-field], .editor-toolbar button, #save-now"), function (x) { x.disabled = !on; });
  }

  // Block model → DOM
  function renderSpans(parent, spans) {
    (spans || []).forEach(function (s) {
      var node = document.createDocumentFragment();
      var parts = String(s.text || "").split("\n");
      parts.forEach(function (p, i) { if (i > 0) node.appendChild(el("br")); if (p) node.appendChild(document.createTextNode(p)); });
      if (s.italic) { var i = el("em"); i.appendChild(node); node = i; }
      if (s.bold) { var b = el("strong"); b.appendChild(node); node = b; }
      if (s.link && safeLink(s.link)) { var a = el("a", { href: s.link, rel: "noopener noreferrer" }); a.appendChild(node); node = a; }
      parent.appendChild(node);
    });
  }
  function mediaURL(src) {
    if (/^https?:\/\//i.test(src)) return src;
    var id = String(src).split("/").pop();
    return "/api/v1/stories/" + storyID + "/media/" + id;
  }
  function renderBlock(b) {
    var node;
    switch (b.type) {
      case "heading": node = el("h" + Math.min(Math.max(b.level || 2, 1), 3)); renderSpans(node, b.spans); break;
      case "quote": node = el("blockquote"); renderSpans(node, b.spans); if (b.attribution) node.dataset.attribution = b.attribution; break;
      case "list":
        node = el(b.ordered ? "ol" : "ul");
        (b.items || []).forEach(function (item) { var li = el("li"); renderSpans(li, item); node.appendChild(li); });
        break;
      case "table":
        node = el("table"); if (b.header) node.dataset.header = "1";
        (b.rows || []).forEach(function (row, r) {
          var tr = el("tr");
          row.forEach(function (cell) { var c = el(b.header && r === 0 ? "th" : "td"); c.textContent = cell; tr.appendChild(c); });
          node.appendChild(tr);
        });
        break;
      case "image": case "video": case "audio": case "embed":
        node = el("figure", { contenteditable: "false", "class": "media-block" });
        node.dataset.block = JSON.stringify(b);
        if (b.type === "image") node.appendChild(el("img", { src: mediaURL(b.key), alt: b.alt || "" }));
        else node.appendChild(el("span", { "class": "media-label" }, "[" + b.type + "] " + (b.src || b.url || "")));
        if (b.caption) node.appendChild(el("figcaption", null, b.caption));
        break;
      default: node = el("p"); renderSpans(node, b.spans); if (!node.firstChild) node.appendChild(el("br"));
    }
    if (b.aigc) { node.dataset.aigc = JSON.stringify(b.aigc); node.classList.add("aigc"); node.setAttribute("data-aigc-label", T("aigc")); }
    return node;
  }
  function render(blocks) {
    editor.textContent = "";
    (blocks || []).forEach(function (b) { editor.appendChild(renderBlock(b)); });
    if (!editor.firstChild) { var p = el("p"); p.appendChild(el("br")); editor.appendChild(p); }
  }

  // DOM → block model
  function spansOf(node) {
    var out = [];
    function push(text, m) {
      if (!text) return;
      var last = out[out.length - 1];
      if (last && !!last.bold === !!m.bold && !!last.italic === !!m.italic && (last.link || null) === (m.link || null)) { last.text += text; return; }
      var s = { text: text }; if (m.bold) s.bold = true; if (m.italic) s.italic = true; if (m.link) s.link = m.link;
      out.push(s);
    }
    function walk(n, m) {
      if (n.nodeType === 3) { push(n.nodeValue.replace(/\u00a0/g, " "), m); return; }
      if (n.nodeType !== 1) return;
      var tag = n.tagName, mm = { bold: m.bold, italic: m.italic, link: m.link };
      if (tag === "BR") { push("\n", m); return; }
      if (tag === "SCRIPT" || tag === "STYLE") return;
      if (tag === "B" || tag === "STRONG" || (n.style && (n.style.fontWeight === "bold" || parseInt(n.style.fontWeight, 10) >= 600))) mm.bold = true;
      if (tag === "I" || tag === "EM" || (n.style && n.style.fontStyle === "italic")) mm.italic = true;
      if (tag === "A") mm.link = safeLink(n.getAttribute("href"));
      Array.prototype.forEach.call(n.childNodes, function (c) { walk(c, mm); });
    }
    walk(node, {});
    if (out.length) { out[out.length - 1].text = out[out.length - 1].text.replace(/\n+$/, ""); if (!out[out.length - 1].text) out.pop(); }
    return out;
  }
  function serialize() {
    var blocks = [];
    Array.prototype.forEach.call(editor.childNodes, function (n) {
      var b = null;
      if (n.nodeType === 3) { if (n.nodeValue.trim()) b = { type: "paragraph", spans: [{ text: n.nodeValue }] }; }
      else if (n.nodeType === 1) {
        var tag = n.tagName;
        if (n.dataset.block) { try { b = JSON.parse(n.dataset.block); } catch (e) { b = null; } }
        else if (/^H[1-6]$/.test(tag)) b = { type: "heading", level: Math.min(parseInt(tag.charAt(1), 10), 3), spans: spansOf(n) };
        else if (tag === "BLOCKQUOTE") { b = { type: "quote", spans: spansOf(n) }; if (n.dataset.attribution) b.attribution = n.dataset.attribution; }
        else if (tag === "UL" || tag === "OL") {
          b = { type: "list", ordered: tag === "OL", items: [] };
          Array.prototype.forEach.call(n.querySelectorAll("li"), function (li) { var s = spansOf(li); if (s.length) b.items.push(s); });
          if (!b.items.length) b = null;
        } else if (tag === "TABLE") {
          b = { type: "table", header: n.dataset.header === "1" || !!n.querySelector("th"), rows: [] };
          Array.prototype.forEach.call(n.querySelectorAll("tr"), function (tr) {
            b.rows.push(Array.prototype.map.call(tr.children, function (c) { return c.innerText.replace(/\n$/, ""); }));
          });
        } else {
          var s = spansOf(n);
          if (s.length) b = { type: "paragraph", spans: s };
        }
        if (b && n.dataset.aigc && !b.aigc) { try { b.aigc = JSON.parse(n.dataset.aigc); } catch (e) { /* ignore */ } }
      }
      if (b && (b.type !== "paragraph" || b.spans.length)) blocks.push(b);
    });
    return blocks;
  }

  function field(name) { return app.querySelector('[data-field="' + name + '"]'); }
  function snapshot() {
    var out = { body: serialize() };
    Array.prototype.forEach.call(app.querySelectorAll("[data-field]"), function (input) {
      var name = input.dataset.field, v = input.value;
      if (input.dataset.list) out[name] = splitList(v);
      else if (name === "embargo") { if (v) out.embargo = new Date(v).toISOString(); }
      else out[name] = v;
    });
    if (!out.language) out.language = "zh";
    if (state.aigc) out.aigc = state.aigc;
    return out;
  }
  function fill(story, keepBody) {
    ["headline", "subtitle", "lead", "byline", "location", "language"].forEach(function (k) { field(k).value = story[k] || ""; });
    field("tags").value = (story.tags || []).join("，");
    field("categories").value = (story.categories || []).join("，");
    if (story.embargo) {
      var d = new Date(story.embargo), pad = function (n) { return (n < 10 ? "0" : "") + n; };
      field("embargo").value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
    } else { field("embargo").value = ""; }
    state.aigc = story.aigc || null;
    if (!keepBody) render(story.body);
    countChars();
  }
  function countChars() {
    var text = editor.innerText || "";
    var n = (text.match(/[\u3400-\u9fff\uf900-\ufaff]/g) || []).length + (text.match(/[A-Za-z0-9]+/g) || []).length;
    document.getElementById("char-count").textContent = "· " + n;
  }

  // Local drafts: written on every change, removed once the server has the version.
  function draftKey(version) { return DRAFT_PREFIX + version; }
  function writeDraft() {
    if (!state.version) return;   // not loaded yet: nothing to key the draft by
    try { localStorage.setItem(draftKey(state.version), JSON.stringify({ base: state.version, at: Date.now(), content: snapshot() })); } catch (e) { /* storage full: keep going */ }
  }
  function clearDrafts() {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) { var k = localStorage.key(i); if (k && k.indexOf(DRAFT_PREFIX) === 0) localStorage.removeItem(k); }
    } catch (e) { /* ignore */ }
  }
  function findDraft() {
    var best = null;
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf(DRAFT_PREFIX) === 0) { var d = JSON.parse(localStorage.getItem(k)); if (!best || d.at > best.at) best = d; }
      }
    } catch (e) { return null; }
    return best;
  }

  var draftTimer = null;
  function changed() {
    state.dirty = true; state.changeSeq++;
    setStatus("unsaved");
    clearTimeout(draftTimer); draftTimer = setTimeout(writeDraft, 300);
    countChars();
  }

  function save(force) {
    if (!state.editable || state.saving || state.conflict) return Promise.resolve();
    if (!state.dirty && !force) return Promise.resolve();
    writeDraft();
    var content = snapshot(), seq = state.changeSeq, base = state.version;
    content.base_version = base;
    state.saving = true; setStatus("saving");
    return request("PUT", "/api/v1/stories/" + storyID, content).then(function (s) {
      state.saving = false; state.retryDelay = 2000; editorError("");
      try { localStorage.removeItem(draftKey(base)); } catch (e) { /* ignore */ }
      state.version = s.version; versionEl.textContent = "v" + s.version;
      if (state.changeSeq === seq) { state.dirty = false; setStatus("saved", clockTime(new Date())); } else { writeDraft(); setStatus("unsaved"); }
    }).catch(function (e) {
      state.saving = false;
      if (!(e instanceof ApiError) || e.status >= 500 || e.status === 0) {
        // Network down or server trouble: the draft is in localStorage; retry with backoff.
        setStatus("offline");
        clearTimeout(state.retryTimer);
        state.retryTimer = setTimeout(function () { save(true); }, state.retryDelay);
        state.retryDelay = Math.min(state.retryDelay * 2, 60000);
        return;
      }
      setStatus("unsaved");
      if (e.code === "version_conflict") {
        state.conflict = e.data;
        document.getElementById("conflict-detail").textContent = e.message;
        showBanner("conflict-banner", true);
      } else if (e.code === "story_locked" || e.code === "lock_lost") {
        lockedBy(e.message);
      } else if (e.code === "story_in_review" || e.code === "story_approved" || e.code === "story_rejected") {
        setEditable(false); editorError(e.message);
      } else if (e.status === 401) {
        editorError(e.message);
      } else {
        editorError(e.message);
      }
    });
  }

  function lockedBy(message) {
    setEditable(false);
    document.getElementById("lock-text").textContent = message;
    showBanner("lock-banner", true);
    writeDraft();
  }

  function acquire(takeOver) {
    return request("POST", "/api/v1/stories/" + storyID + "/lock", { take_over: !!takeOver }).then(function () {
      showBanner("lock-banner", false); setEditable(true); return true;
    }).catch(function (e) {
      if (e.code === "story_locked") { lockedBy(e.message); }
      else if (e.code === "story_in_review" || e.code === "story_not_editable") { setEditable(false); editorError(e.message || T("readOnly")); }
      else if (e instanceof ApiError) { editorError(e.message); }
      else { setEditable(true); setStatus("offline"); }   // offline: keep typing into the local draft
      return false;
    });
  }

  function heartbeat() {
    if (!state.editable) return;
    request("POST", "/api/v1/stories/" + storyID + "/lock/heartbeat").catch(function (e) {
      if (e.code === "lock_lost") { lockedBy(T("lockLost") + " " + e.message); }
      else if (!(e instanceof ApiError)) setStatus(state.dirty ? "offline" : "offline");
    });
  }

  function load() {
    return request("GET", "/api/v1/stories/" + storyID).then(function (s) {
      state.version = s.version; versionEl.textContent = "v" + s.version;
      // Typing that started before the story arrived (a new, empty story) is kept, never replaced.
      var typedEarly = state.changeSeq > 0 && !(s.body || []).length;
      fill(s, typedEarly);
      if (typedEarly) { writeDraft(); setStatus("unsaved"); }
      var draft = typedEarly ? null : findDraft();
      if (draft && JSON.stringify(draft.content.body) !== JSON.stringify(s.body || []) || (draft && draft.content.headline !== s.headline)) {
        // Unsaved typing from an earlier session (or before the network dropped): restore it.
        state.version = draft.base;
        fill(draft.content);
        state.aigc = draft.content.aigc || null;
        state.dirty = true; state.changeSeq++;
        showBanner("restored-banner", true);
        setStatus("unsaved");
      } else if (!typedEarly) {
        if (draft) clearDrafts();
        setStatus("saved");
      }
      if (!s.editable) { setEditable(false); editorError(T("readOnly")); return; }
      return acquire(false);
    });
  }

  // Toolbar and shortcuts
  function exec(cmd) {
    editor.focus();
    switch (cmd) {
      case "bold": case "italic": document.execCommand(cmd); break;
      case "link":
        var url = window.prompt("URL (https://…)", "https://");
        if (url && safeLink(url)) document.execCommand("createLink", false, url);
        break;
      case "p": case "h1": case "h2": case "h3": case "blockquote": document.execCommand("formatBlock", false, cmd.toUpperCase()); break;
      case "ul": document.execCommand("insertUnorderedList"); break;
      case "ol": document.execCommand("insertOrderedList"); break;
      case "image": document.getElementById("image-input").click(); return;
      case "table": insertBlocks([{ type: "table", header: true, rows: [["", ""], ["", ""]] }]); break;
    }
    changed();
  }
  app.querySelector(".editor-toolbar").addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-cmd]"); if (btn) exec(btn.dataset.cmd);
  });
  editor.addEventListener("keydown", function (ev) {
    var mod = ev.ctrlKey || ev.metaKey;
    if (!mod) return;
    var k = ev.key.toLowerCase(), map = null;
    if (ev.altKey) {
      map = { "1": "h1", "2": "h2", "3": "h3", "0": "p", "q": "blockquote", "u": "ul", "o": "ol" }[k] ||
            ({ Digit1: "h1", Digit2: "h2", Digit3: "h3", Digit0: "p", KeyQ: "blockquote", KeyU: "ul", KeyO: "ol" })[ev.code];
    } else {
      map = { b: "bold", i: "italic", k: "link" }[k];
    }
    if (map) { ev.preventDefault(); exec(map); }
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && ev.key.toLowerCase() === "s") { ev.preventDefault(); save(true); }
  });

  function currentTopBlock() {
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount) return null;
    var n = sel.getRangeAt(0).startContainer;
    while (n && n.parentNode !== editor) n = n.parentNode;
    return n && n.parentNode === editor ? n : null;
  }
  function insertBlocks(blocks) {
    var anchor = currentTopBlock();
    var frag = document.createDocumentFragment(), last = null;
    blocks.forEach(function (b) { last = renderBlock(b); frag.appendChild(last); });
    if (anchor && anchor.nodeType === 1 && !anchor.dataset.block && !(anchor.textContent || "").trim()) { editor.replaceChild(frag, anchor); }
    else if (anchor && anchor.nextSibling) { editor.insertBefore(frag, anchor.nextSibling); }
    else { editor.appendChild(frag); }
    if (last && last.parentNode === editor && !last.nextSibling) { var p = el("p"); p.appendChild(el("br")); editor.appendChild(p); }
    changed();
  }

  // Paste: the server cleans HTML/Markdown into blocks (scripts, styles, classes, unsafe links removed).
  editor.addEventListener("paste", function (ev) {
    var cd = ev.clipboardData; if (!cd) return;
    var html = cd.getData("text/html"), text = cd.getData("text/plain");
    ev.preventDefault();
    if (!html) {
      if (text.indexOf("\n") < 0) { document.execCommand("insertText", false, text); changed(); return; }
    }
    request("POST", "/api/v1/stories/convert", { format: html ? "html" : "text", content: html || text }).then(function (out) {
      var blocks = out.blocks || [];
      var simple = blocks.length === 1 && blocks[0].type === "paragraph" && blocks[0].spans.every(function (s) { return !s.bold && !s.italic && !s.link; });
      if (simple) document.execCommand("insertText", false, blocks[0].spans.map(function (s) { return s.text; }).join(""));
      else if (blocks.length) insertBlocks(blocks);
      changed();
    }).catch(function () {
      document.execCommand("insertText", false, text);   // offline: plain text only, never raw HTML
      changed();
    });
  });

  document.getElementById("image-input").addEventListener("change", function (ev) {
    var file = ev.target.files[0]; if (!file) return;
    var fd = new FormData(); fd.append("file", file, file.name);
    request("POST", "/api/v1/stories/" + storyID + "/media", undefined, fd).then(function (m) {
      var alt = window.prompt("Alt / 替代文字", file.name.replace(/\.[^.]+$/, "")) || "";
      insertBlocks([{ type: "image", key: m.key, caption: "", alt: alt.slice(0, 500) }]);
    }).catch(function (e) { editorError(e.message || String(e)); });
    ev.target.value = "";
  });

  editor.addEventListener("input", changed);
  Array.prototype.forEach.call(app.querySelectorAll("[data-field]"), function (f) { f.addEventListener("input", changed); });
  document.getElementById("save-now").addEventListener("click", function () { save(true); });
  document.getElementById("take-over").addEventListener("click", function () {
    acquire(true).then(function (ok) { if (ok) { editorError(""); request("GET", "/api/v1/stories/" + storyID).then(function (s) {
      // Someone else may have saved meanwhile: keep our draft if we have unsaved changes, else load theirs.
      if (!state.dirty) { state.version = s.version; fill(s); versionEl.textContent = "v" + s.version; }
    }); } });
  });
  document.getElementById("conflict-load").addEventListener("click", function () {
    var cur = state.conflict && state.conflict.current; if (!cur) return;
    writeDraft();   // our text stays in localStorage under the old base version
    state.conflict = null; showBanner("conflict-banner", false);
    state.version = cur.version; fill(cur); state.dirty = false; setStatus("saved"); versionEl.textContent = "v" + cur.version;
  });
  document.getElementById("conflict-mine").addEventListener("click", function () {
    var cur = state.conflict && state.conflict.current; if (!cur) return;
    state.conflict = null; showBanner("conflict-banner", false);
    state.version = cur.version;   // an explicit decision to save on top of the newer version
    save(true);
  });
  document.getElementById("discard-local").addEventListener("click", function () {
    clearDrafts(); showBanner("restored-banner", false); state.dirty = false; load();
  });

  window.addEventListener("online", function () { if (state.dirty) save(true); heartbeat(); });
  window.addEventListener("offline", function () { setStatus("offline"); });
  window.addEventListener("beforeunload", function (ev) { if (state.dirty) { writeDraft(); ev.preventDefault(); ev.returnValue = ""; } });
  window.addEventListener("pagehide", function () {
    if (state.editable) { try { fetch("/api/v1/stories/" + storyID + "/lock", { method: "DELETE", keepalive: true, credentials: "same-origin", headers: { "X-CSRF-Token": csrf } }); } catch (e) { /* ignore */ } }
  });

  setInterval(function () { if (state.dirty && !state.saving) save(false); }, 4000);
  setInterval(heartbeat, 20000);

  // AI assist panel
  function aigcBlock(b, label) { b.aigc = label; return b; }
  document.getElementById("assist-run").addEventListener("click", function () {
    var btn = this; btn.setAttribute("aria-busy", "true");
    request("POST", "/api/v1/stories/" + storyID + "/assist", snapshot()).then(function (a) {
      btn.removeAttribute("aria-busy");
      document.getElementById("assist-out").hidden = false;
      var sum = document.getElementById("assist-summary"); sum.textContent = "";
      sum.appendChild(el("p", null, a.summary));
      var ins = el("button", { type: "button", "class": "btn btn-small" }, T("insert"));
      ins.addEventListener("click", function () { insertBlocks([aigcBlock({ type: "paragraph", spans: [{ text: a.summary }] }, a.aigc)]); });
      sum.appendChild(ins);
      var hl = document.getElementById("assist-headlines"); hl.textContent = "";
      a.headlines.forEach(function (h) {
        var li = el("li"); li.appendChild(el("span", null, h + " "));
        var use = el("button", { type: "button", "class": "btn btn-small" }, T("use"));
        use.addEventListener("click", function () { field("headline").value = h; state.aigc = a.aigc; changed(); });
        li.appendChild(use); hl.appendChild(li);
      });
      document.getElementById("assist-keywords").textContent = a.keywords.map(function (k) { return k.word; }).join("、");
      var tg = document.getElementById("assist-tags"); tg.textContent = "";
      a.tags.forEach(function (t) {
        var b = el("button", { type: "button", "class": "btn btn-small" }, "+ " + t);
        b.addEventListener("click", function () { var cur = splitList(field("tags").value); if (cur.indexOf(t) < 0) cur.push(t); field("tags").value = cur.join("，"); changed(); b.disabled = true; });
        tg.appendChild(b);
      });
      var rel = document.getElementById("assist-related"); rel.textContent = "";
      a.related.forEach(function (r) { var li = el("li"); li.appendChild(el("a", { href: "/stories/" + r.id }, r.headline)); rel.appendChild(li); });
      document.getElementById("assist-chars").textContent = a.characters;
      document.getElementById("assist-minutes").textContent = a.reading_minutes;
    }).catch(function (e) { btn.removeAttribute("aria-busy"); editorError(e.message || String(e)); });
  });

  load().catch(function (e) {
    // Offline on first load: show the local draft if there is one.
    var draft = findDraft();
    if (draft) { state.version = draft.base; fill(draft.content); state.dirty = true; setEditable(true); showBanner("restored-banner", true); }
    setStatus("offline"); editorError(e.message || String(e));
  });
})();
