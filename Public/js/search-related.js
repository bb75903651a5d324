// 相关资料: while a story is being written, show earlier stories and leads related to the draft.
// Reads the headline, lead and body, waits until typing pauses, then asks /api/v1/search/related.
(function () {
  "use strict";
  var panel = document.getElementById("search-related");
  var app = document.getElementById("story-editor-app");
  if (!panel || !app) return;
  var list = document.getElementById("search-related-list");
  var keywordsEl = document.getElementById("search-related-keywords");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var timer = null, lastText = "", inFlight = false;

  function draftText() {
    var parts = [];
    ["e-headline", "e-subtitle", "e-lead"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.value) parts.push(el.value);
    });
    var body = document.getElementById("story-editor");
    if (body) parts.push(body.innerText || "");
    return parts.join("\n").slice(0, 20000);
  }

  function render(data) {
    keywordsEl.textContent = (data.keywords || []).join("、");
    list.textContent = "";
    if (!data.items || data.items.length === 0) {
      var none = document.createElement("li");
      none.className = "muted small";
      none.textContent = panel.dataset.tNone || "";
      list.appendChild(none);
      return;
    }
    data.items.forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h.link;
      a.target = "_blank";
      a.rel = "noopener";
      // title_html and snippet_html are escaped by the server; only <mark> is markup.
      a.innerHTML = h.title_html;
      var meta = document.createElement("div");
      meta.className = "small muted";
      meta.textContent = (panel.dataset["tType_" + h.type] || h.type) + " · " + h.tenant_name + " · " + (h.date || "").slice(0, 10);
      var snip = document.createElement("div");
      snip.className = "small";
      snip.innerHTML = h.snippet_html;
      li.appendChild(a); li.appendChild(meta); li.appendChild(snip);
      list.appendChild(li);
    });
  }

  function refresh() {
    var text = draftText();
    if (inFlight || text === lastText || text.replace(/\s/g, "").length < 8) return;
    lastText = text;
    inFlight = true;
    fetch("/api/v1/search/related", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ text: text, story_id: app.dataset.storyId })
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) render(data); })
      .catch(function () {})
      .then(function () { inFlight = false; });
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 1500);
  }

  app.addEventListener("input", schedule);
  setTimeout(refresh, 800);
})();
