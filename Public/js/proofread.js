// 智媒 Zhimei — 智能校对: the standalone proofreading page, lexicon management, and proofreading inside the story
// editor (underlines via the CSS Custom Highlight API, so the editor's DOM — and with it the block model and the
// autosave — is never touched; a side panel lists findings with accept / ignore / ignore everywhere in this story).
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";
  var en = lang === "en";
  var CATS = { sensitive: ["敏感内容", "Sensitive"], typo: ["错别字", "Typo"], grammar: ["语法", "Grammar"], punctuation: ["标点", "Punctuation"],
               format: ["格式", "Format"], fact: ["事实", "Fact"], provider: ["AI 建议（仅供参考）", "AI suggestion (advisory)"] };
  var SEV = { block: ["必须处理", "Blocking"], warn: ["建议修改", "Warning"], info: ["提示", "Note"] };
  function t(pair) { return pair ? (en ? pair[1] : pair[0]) : ""; }

  function request(method, url, body, type) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf } };
    if (body !== undefined) {
      if (type) { opts.headers["Content-Type"] = type; opts.body = body; }
      else { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    }
    return fetch(url, opts).then(function (res) {
      if (res.status === 204) return {};
      var ct = res.headers.get("Content-Type") || "";
      if (res.ok && ct.indexOf("json") < 0) return res.blob();
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var e = data && data.error;
          throw new Error(e ? (en ? e.message_en + " / " + e.message : e.message + " / " + e.message_en) : "HTTP " + res.status);
        }
        return data;
      });
    });
  }
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text !== undefined) n.textContent = text; return n; }
  function showError(form, err) {
    var box = form && form.querySelector(".form-error");
    if (box) { box.hidden = false; box.textContent = err.message || String(err); } else { window.alert(err.message || String(err)); }
  }
  function clearError(form) { var box = form && form.querySelector(".form-error"); if (box) { box.hidden = true; box.textContent = ""; } }
  // Engine spans count Unicode scalars; JS strings count UTF-16 units.
  function scalarToUnit(text) {
    var map = [], u = 0;
    for (var i = 0; i < text.length; i++) {
      map.push(u);
      var c = text.charCodeAt(i);
      if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.length) { i++; u += 2; } else { u += 1; }
    }
    map.push(u);
    return function (s) { return map[Math.min(Math.max(s, 0), map.length - 1)]; };
  }
  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 5000);
  }

  // ---- Findings list (shared by the standalone page and the editor panel) ----
  function findingItem(f, actions) {
    var li = el("li", "pr-finding pr-" + f.category + " sev-" + f.severity);
    var head = el("div", "pr-finding-head");
    head.appendChild(el("span", "pill sev-" + f.severity, t(SEV[f.severity]) || f.severity));
    head.appendChild(document.createTextNode(" "));
    if (f.field) head.appendChild(el("span", "pill", f.field === "headline" ? (en ? "Headline" : "标题") : (en ? "Lead" : "导语")));
    head.appendChild(el("strong", "pr-excerpt", "“" + f.text + "”"));
    if (f.subcategory) head.appendChild(el("span", "muted small", " · " + f.subcategory));
    li.appendChild(head);
    li.appendChild(el("div", "small", en ? f.message_en : f.message));
    if (f.suggestions && f.suggestions.length) li.appendChild(el("div", "small muted", (en ? "Suggestions: " : "建议：") + f.suggestions.join(en ? ", " : "、")));
    if (actions) li.appendChild(actions);
    return li;
  }
  function groupByCategory(findings) {
    var groups = {};
    findings.forEach(function (f) { (groups[f.category] = groups[f.category] || []).push(f); });
    return groups;
  }

  // ---- Standalone page ----
  var form = document.getElementById("proofread-form");
  if (form) {
    var last = null;
    var progress = document.getElementById("proofread-progress");
    var render = function (report, title) {
      last = report;
      var section = document.getElementById("proofread-report");
      section.hidden = false;
      var c = report.counts;
      document.getElementById("proofread-summary").textContent = (title ? title + "：" : "") +
        (en ? report.characters + " characters; " + c.block + " blocking, " + c.warn + " warnings, " + c.info + " notes"
            : "共 " + report.characters + " 字；必须处理 " + c.block + " 处，建议修改 " + c.warn + " 处，提示 " + c.info + " 处");
      var box = document.getElementById("proofread-groups");
      box.textContent = "";
      var groups = groupByCategory(report.findings);
      Object.keys(groups).forEach(function (cat) {
        box.appendChild(el("h3", "", (t(CATS[cat]) || cat) + " (" + groups[cat].length + ")"));
        var ul = el("ul", "pr-list");
        groups[cat].forEach(function (f) { ul.appendChild(findingItem(f)); });
        box.appendChild(ul);
      });
      if (!report.findings.length) box.appendChild(el("p", "muted", en ? "Nothing found." : "未发现问题。"));
      var marked = document.getElementById("proofread-marked");
      marked.textContent = "";
      var text = report.text, toUnit = scalarToUnit(text), pos = 0;
      report.findings.filter(function (f) { return !f.in_headline; }).sort(function (a, b) { return a.start - b.start; }).forEach(function (f) {
        var s = Math.max(toUnit(f.start), pos), e = Math.max(toUnit(f.end), s);
        if (e <= s) return;
        marked.appendChild(document.createTextNode(text.slice(pos, s)));
        var m = el("mark", "pr-mark pr-" + f.category + " sev-" + f.severity, text.slice(s, e));
        m.title = en ? f.message_en : f.message;
        marked.appendChild(m);
        pos = e;
      });
      marked.appendChild(document.createTextNode(text.slice(pos)));
      document.getElementById("proofread-html").disabled = false;
      document.getElementById("proofread-docx").disabled = false;
    };
    var upload = function (file) {
      return request("POST", "/api/v1/proofread/document?filename=" + encodeURIComponent(file.name), file, "application/octet-stream");
    };
    // One row per file of a finished batch; a checked file's whole report opens below (and downloads like a single
    // document's).
    var showBatch = function (s) {
      var batchBox = document.getElementById("proofread-batch");
      var list = document.getElementById("proofread-batch-files");
      batchBox.hidden = false;
      document.getElementById("proofread-report").hidden = true;
      list.textContent = "";
      s.files.forEach(function (f, i) {
        var li = el("li", "pr-finding " + (f.block ? "sev-block" : ""), f.name + " — " +
          (f.status === "ok" ? (en ? f.block + " blocking, " + f.warn + " warnings, " + f.info + " notes" : "必须处理 " + f.block + "，建议修改 " + f.warn + "，提示 " + f.info)
                             : (en ? f.message_en : f.message)) + " ");
        if (f.report) {
          var open = el("button", "btn btn-small", en ? "View report" : "查看报告");
          open.type = "button";
          open.addEventListener("click", function () {
            request("GET", "/api/v1/proofread/batch/" + s.id + "/files/" + i)
              .then(function (r) { render(r, f.name); document.getElementById("proofread-report").scrollIntoView(); })
              .catch(function (err) { showError(form, err); });
          });
          li.appendChild(open);
        }
        list.appendChild(li);
      });
    };
    // The person's recent batches (kept a week): open one to see its files and reports again.
    var STATES = { queued: ["排队中", "Queued"], running: ["进行中", "Running"], succeeded: ["已完成", "Done"], dead: ["失败", "Failed"],
                   discarded: ["已丢弃", "Discarded"] };
    var loadHistory = function () {
      var box = document.getElementById("proofread-history");
      if (!box) return;
      request("GET", "/api/v1/proofread/batch?limit=10").then(function (batches) {
        var list = document.getElementById("proofread-history-list");
        list.textContent = "";
        box.hidden = !batches.length;
        batches.forEach(function (b) {
          var when = new Date(b.created_at);
          var li = el("li", "", when.toLocaleDateString("zh-CN") + " " + [when.getHours(), when.getMinutes()].map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":") +
            " · " + (en ? b.file_names.length + " files: " : b.file_names.length + " 个文件：") + b.file_names.slice(0, 3).join(en ? ", " : "、") +
            (b.file_names.length > 3 ? "…" : "") + " · " + t(STATES[b.state]) + " ");
          if (b.state === "succeeded") {
            var open = el("button", "btn btn-small", en ? "Results" : "查看结果");
            open.type = "button";
            open.addEventListener("click", function () {
              request("GET", "/api/v1/proofread/batch/" + b.id).then(showBatch).catch(function (err) { showError(form, err); });
            });
            li.appendChild(open);
          }
          list.appendChild(li);
        });
      }).catch(function () { box.hidden = true; });
    };
    loadHistory();
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearError(form);
      document.getElementById("proofread-batch").hidden = true;
      var files = document.getElementById("proofread-file").files;
      var run = document.getElementById("proofread-run");
      run.setAttribute("aria-busy", "true");
      var done = function () { run.removeAttribute("aria-busy"); };
      if (files && files.length === 1) {
        upload(files[0]).then(function (r) { render(r, files[0].name); }).catch(function (err) { showError(form, err); }).then(done);
        return;
      }
      if (files && files.length > 1) {
        // Batch: a server-side job; poll its progress and list per-file results.
        var fd = new FormData();
        Array.prototype.forEach.call(files, function (f) { fd.append("files[]", f, f.name); });
        progress.hidden = false;
        progress.textContent = en ? "Uploading…" : "正在上传…";
        fetch("/api/v1/proofread/batch", { method: "POST", credentials: "same-origin", body: fd, headers: { "Accept": "application/json", "X-CSRF-Token": csrf } })
          .then(function (res) { return res.json().then(function (d) { if (!res.ok) throw new Error(d.error ? d.error.message + " / " + d.error.message_en : "HTTP " + res.status); return d; }); })
          .then(function (job) {
            var poll = function () {
              request("GET", "/api/v1/proofread/batch/" + job.id).then(function (s) {
                progress.textContent = (en ? "Batch: " : "批量校对：") + s.percent + "% · " + s.stage;
                if (s.state === "queued" || s.state === "running") { setTimeout(poll, 1000); return; }
                done();
                showBatch(s);
                loadHistory();
              }).catch(function (err) { done(); showError(form, err); });
            };
            poll();
          }).catch(function (err) { done(); showError(form, err); });
        return;
      }
      // A page address (and no files): the server fetches the page (internal addresses refused) and checks its text.
      var pageURL = (document.getElementById("proofread-url").value || "").trim();
      if (pageURL) {
        request("POST", "/api/v1/proofread/url", { url: pageURL }).then(function (r) { render(r, pageURL); }).catch(function (err) { showError(form, err); }).then(done);
        return;
      }
      var body = { text: document.getElementById("proofread-text").value, headline: document.getElementById("proofread-headline").value || null };
      request("POST", "/api/v1/proofread", body).then(function (r) { render(r); }).catch(function (err) { showError(form, err); }).then(done);
    });
    ["html", "docx"].forEach(function (fmt) {
      document.getElementById("proofread-" + fmt).addEventListener("click", function () {
        if (!last) return;
        request("POST", "/api/v1/proofread/report/" + fmt, { text: last.text, headline: last.headline || null })
          .then(function (blob) { download(blob, "proofread-report." + fmt); }).catch(function (err) { showError(form, err); });
      });
    });
  }

  // ---- Lexicon management ----
  var lexicon = document.getElementById("lexicon");
  if (lexicon) {
    var level = lexicon.dataset.level, tenant = lexicon.dataset.tenant;
    var lform = document.getElementById("lexicon-form");
    var split = function (v) { return v.split(/[|,，、]/).map(function (s) { return s.trim(); }).filter(Boolean); };
    lform.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearError(lform);
      var g = function (id) { return document.getElementById(id).value; };
      var body = { level: level, tenant_id: level === "platform" ? null : tenant, kind: g("lexicon-form-kind"), term: g("lexicon-term"),
                   category: g("lexicon-category"), severity: g("lexicon-severity"), title: g("lexicon-title"), items: split(g("lexicon-items")),
                   homophones: document.getElementById("lexicon-homophones").checked, note: g("lexicon-note") };
      var id = g("lexicon-id");
      request(id ? "PUT" : "POST", "/api/v1/review/lexicon" + (id ? "/" + id : ""), body)
        .then(function () { window.location.reload(); }).catch(function (err) { showError(lform, err); });
    });
    lexicon.addEventListener("click", function (ev) {
      var row = ev.target.closest ? ev.target.closest("tr[data-entry]") : null;
      if (!row) return;
      if (ev.target.hasAttribute("data-lexicon-delete")) {
        if (!window.confirm(en ? "Delete this entry?" : "确定删除该词条？")) return;
        request("DELETE", "/api/v1/review/lexicon/" + row.dataset.entry).then(function () { row.remove(); }).catch(function (err) { window.alert(err.message); });
      } else if (ev.target.hasAttribute("data-lexicon-edit")) {
        document.getElementById("lexicon-id").value = row.dataset.entry;
        document.getElementById("lexicon-form-kind").value = row.dataset.kind;
        document.getElementById("lexicon-term").value = row.dataset.term;
        document.getElementById("lexicon-category").value = row.dataset.category;
        document.getElementById("lexicon-severity").value = row.dataset.severity;
        document.getElementById("lexicon-title").value = row.dataset.title;
        document.getElementById("lexicon-items").value = row.dataset.items;
        document.getElementById("lexicon-note").value = row.dataset.note;
        document.getElementById("lexicon-term").focus();
      }
    });
    var fileInput = document.getElementById("lexicon-import-file");
    fileInput.addEventListener("change", function () {
      var f = fileInput.files && fileInput.files[0];
      if (!f) return;
      var box = document.getElementById("lexicon-import-result");
      request("POST", lexicon.dataset.import, f, "text/csv").then(function (r) {
        box.hidden = false; box.textContent = "";
        box.appendChild(el("p", "", en ? "Created " + r.created + ", updated " + r.updated + ", unchanged " + r.unchanged + ", skipped " + r.skipped
                                       : "新增 " + r.created + " 条，更新 " + r.updated + " 条，未变 " + r.unchanged + " 条，跳过 " + r.skipped + " 条"));
        var ul = el("ul", "small");
        r.errors.forEach(function (e) { ul.appendChild(el("li", "", (en ? "Line " : "第 ") + e.line + (en ? ": " : " 行：") + (en ? e.message_en : e.message))); });
        box.appendChild(ul);
      }).catch(function (err) { box.hidden = false; box.textContent = err.message; });
    });
  }

  // ---- Inside the story editor ----
  var editor = document.getElementById("story-editor");
  var editorApp = document.getElementById("story-editor-app");
  if (editor && editorApp) {
    var storyID = editorApp.dataset.storyId || "";
    var ignoreKey = "zm-proofread-ignore-" + storyID;
    var ignoredEverywhere = {};
    try { ignoredEverywhere = JSON.parse(localStorage.getItem(ignoreKey) || "{}") || {}; } catch (e) { ignoredEverywhere = {}; }
    var ignoredOnce = {};
    var panel = el("aside", "card proofread-panel");
    panel.setAttribute("aria-labelledby", "proofread-panel-title");
    var title = el("h2", "", en ? "Proofreading" : "智能校对"); title.id = "proofread-panel-title";
    var status = el("p", "muted small"); status.setAttribute("role", "status");
    var list = el("ul", "pr-list");
    var recheck = el("button", "btn btn-small", en ? "Check now" : "立即校对"); recheck.type = "button";
    // Provider (AI) suggestions are asked for on demand only: a model call per keystroke pause would be slow and costly.
    var askAI = el("button", "btn btn-small", en ? "AI suggestions" : "AI 建议"); askAI.type = "button";
    askAI.title = en ? "Ask the configured text-generation provider for advisory fluency suggestions" : "请已配置的大模型给出通顺性建议（仅供参考，不阻止提交）";
    panel.appendChild(title); panel.appendChild(recheck); panel.appendChild(askAI); panel.appendChild(status); panel.appendChild(list);
    var anchor = document.querySelector(".assist-panel");
    if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(panel, anchor.nextSibling); else editorApp.appendChild(panel);
    var highlights = typeof CSS !== "undefined" && CSS.highlights && typeof Highlight !== "undefined";

    // Text of the editor as the engine sees it (blocks joined by "\n") and where each character lives in the DOM.
    var collect = function () {
      var text = "", nodes = [];
      Array.prototype.forEach.call(editor.children, function (block, i) {
        if (i > 0) text += "\n";
        var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, null);
        var n;
        while ((n = walker.nextNode())) {
          if (n.parentNode && n.parentNode.closest && n.parentNode.closest("[contenteditable=false]")) continue;
          nodes.push({ node: n, start: text.length });
          text += n.nodeValue;
        }
      });
      return { text: text, nodes: nodes };
    };
    var locate = function (nodes, unit) {
      for (var i = nodes.length - 1; i >= 0; i--) {
        if (unit >= nodes[i].start) return { node: nodes[i].node, offset: Math.min(unit - nodes[i].start, nodes[i].node.nodeValue.length) };
      }
      return null;
    };
    var rangeOf = function (snap, toUnit, f) {
      var a = locate(snap.nodes, toUnit(f.start)), b = locate(snap.nodes, toUnit(f.end));
      if (!a || !b) return null;
      var r = document.createRange();
      try { r.setStart(a.node, a.offset); r.setEnd(b.node, b.offset); } catch (e) { return null; }
      return r.toString() === f.text ? r : null;
    };
    var keyOf = function (f) { return f.rule_id + "|" + f.text; };
    var headlineInput = document.getElementById("e-headline"), leadInput = document.getElementById("e-lead");
    // Where a headline or lead finding is in its field now (UTF-16 units), or null when the text has changed since.
    var fieldSpan = function (input, f) {
      var toU = scalarToUnit(input.value), a = toU(f.start), b = toU(f.end);
      return input.value.slice(a, b) === f.text ? [a, b] : null;
    };
    // An answer's finding as the panel keeps it: marked headline or lead, or with offsets into the body alone.
    var placed = function (f, leadScalars) {
      if (f.in_headline) { f.field = "headline"; return f; }
      if (leadScalars > 0 && f.end < leadScalars) { f.field = "lead"; return f; }
      if (f.start < leadScalars) return null;   // spans the lead and the body
      f.start -= leadScalars; f.end -= leadScalars; f.field = ""; return f;
    };
    var current = [];
    var paint = function () {
      var snap = collect(), toUnit = scalarToUnit(snap.text);
      if (highlights) Object.keys(CATS).forEach(function (c) { CSS.highlights.delete("pr-" + c); });
      var byCat = {};
      list.textContent = "";
      var shown = current.filter(function (f) { return !ignoredEverywhere[keyOf(f)] && !ignoredOnce[keyOf(f) + "|" + f.field + f.start]; });
      var listed = 0;
      shown.forEach(function (f) {
        // Headline and lead findings are listed (their fields cannot be underlined); body findings are also underlined.
        var input = f.field === "headline" ? headlineInput : (f.field === "lead" ? leadInput : null);
        var r = input ? null : rangeOf(snap, toUnit, f);
        if (input ? fieldSpan(input, f) === null : !r) return;
        if (r) (byCat[f.category] = byCat[f.category] || []).push(r);
        listed++;
        var actions = el("div", "actions-row");
        (f.suggestions || []).slice(0, 3).forEach(function (s) {
          var b = el("button", "btn btn-small", (en ? "Use " : "改为 ") + s); b.type = "button";
          b.addEventListener("click", function () {
            if (input) {
              var span = fieldSpan(input, f);
              if (!span) return;
              input.value = input.value.slice(0, span[0]) + s + input.value.slice(span[1]);
              input.dispatchEvent(new Event("input", { bubbles: true }));
              return;
            }
            var live = rangeOf(collect(), scalarToUnit(collect().text), f);
            if (!live) return;
            live.deleteContents();
            live.insertNode(document.createTextNode(s));
            editor.normalize();
            // Let the editor's autosave see the change exactly like typing.
            editor.dispatchEvent(new Event("input", { bubbles: true }));
          });
          actions.appendChild(b);
        });
        var ignore = el("button", "btn btn-small", en ? "Ignore" : "忽略"); ignore.type = "button";
        ignore.addEventListener("click", function () { ignoredOnce[keyOf(f) + "|" + f.field + f.start] = true; paint(); });
        var everywhere = el("button", "btn btn-small", en ? "Ignore everywhere in this story" : "本稿全部忽略"); everywhere.type = "button";
        everywhere.addEventListener("click", function () {
          ignoredEverywhere[keyOf(f)] = true;
          try { localStorage.setItem(ignoreKey, JSON.stringify(ignoredEverywhere)); } catch (e) { /* storage full */ }
          paint();
        });
        actions.appendChild(ignore); actions.appendChild(everywhere);
        var item = findingItem(f, actions);
        item.addEventListener("mouseenter", function () { var rr = rangeOf(collect(), scalarToUnit(collect().text), f); if (rr && rr.startContainer.parentNode.scrollIntoView) rr.startContainer.parentNode.scrollIntoView({ block: "nearest" }); });
        list.appendChild(item);
      });
      if (highlights) Object.keys(byCat).forEach(function (c) { var h = new Highlight(); byCat[c].forEach(function (r) { h.add(r); }); CSS.highlights.set("pr-" + c, h); });
      status.textContent = listed ? (en ? listed + " findings" : "发现 " + listed + " 处") : (en ? "Nothing found" : "未发现问题");
    };
    var timer = null, seq = 0;
    // The last provider suggestions stay listed across re-checks while their text is still where it was (rangeOf checks).
    var providerFindings = [];
    var check = function (withProvider) {
      var snap = collect();
      var headline = headlineInput ? headlineInput.value || null : null;
      var lead = leadInput ? leadInput.value : "";
      if (!snap.text.trim() && !lead.trim() && !(headline || "").trim()) { current = []; paint(); return; }
      var mine = ++seq;
      status.textContent = withProvider === true ? (en ? "Asking the AI provider…" : "正在请求 AI 建议…") : (en ? "Checking…" : "校对中…");
      // The lead goes first, as its own paragraph; findings are then given back to the field they are in.
      var leadScalars = lead ? Array.from(lead).length + 1 : 0;
      var body = { text: (lead ? lead + "\n" : "") + snap.text, headline: headline };
      if (withProvider === true) body.provider = true;
      request("POST", "/api/v1/proofread", body).then(function (r) {
        if (mine !== seq) return;   // a newer check is on its way
        r.findings = r.findings.map(function (f) { return placed(f, leadScalars); }).filter(Boolean);
        if (withProvider === true) providerFindings = r.findings.filter(function (f) { return f.category === "provider"; });
        current = r.findings.filter(function (f) { return f.category !== "provider"; }).concat(providerFindings);
        paint();
        if (withProvider === true && !providerFindings.length) {
          status.textContent += en ? " · no AI suggestions (none offered, or no provider configured)" : " · 没有 AI 建议（模型未提出，或未配置模型）";
        }
      }).catch(function (err) { if (mine === seq) status.textContent = err.message; });
    };
    var schedule = function () { clearTimeout(timer); timer = setTimeout(check, 1500); };
    editor.addEventListener("input", schedule);
    if (headlineInput) headlineInput.addEventListener("input", schedule);
    if (leadInput) leadInput.addEventListener("input", schedule);
    recheck.addEventListener("click", function () { check(false); });
    askAI.addEventListener("click", function () { check(true); });
    // The editor fills itself after loading the story; check once it has text.
    setTimeout(check, 2000);
  }
})();
