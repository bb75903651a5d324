// 舆情 Opinion — dashboard polling (every 30 s) with small SVG charts, and the batch-import upload.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Hour of a bucket in China time (every time on the pages is China time).
  function hourLabel(iso) {
    var d = new Date(new Date(iso).getTime() + 8 * 3600 * 1000);
    return ("0" + d.getUTCHours()).slice(-2) + ":00";
  }

  function volumeChart(box, buckets) {
    var w = 560, h = 180, max = 1, base = h - 34, zh = document.documentElement.lang !== "en";
    buckets.forEach(function (b) { if (b.total > max) max = b.total; });
    var svg = el("svg", { viewBox: "0 0 " + w + " " + h, width: w, height: h, role: "img", "aria-label": zh ? "24 小时声量与情感" : "24-hour volume and sentiment" });
    var bw = (w - 40) / Math.max(1, buckets.length);
    var names = zh ? ["负面", "中性", "正面"] : ["negative", "neutral", "positive"];
    svg.appendChild(el("line", { x1: 30, y1: base, x2: w - 10, y2: base, stroke: "#c9ced6" }));
    buckets.forEach(function (b, i) {
      var y = base, g = el("g");
      g.appendChild(el("title", {}, hourLabel(b.at) + " · " + names[0] + " " + b.negative + " · " + names[1] + " " + b.neutral + " · " + names[2] + " " + b.positive));
      [[b.negative, "#c0392b"], [b.neutral, "#95a5a6"], [b.positive, "#27ae60"]].forEach(function (part) {
        if (!part[0]) return;
        var hh = part[0] / max * (base - 14);
        y -= hh;
        g.appendChild(el("rect", { x: 30 + i * bw, y: y, width: Math.max(1, bw - 1), height: hh, fill: part[1] }));
      });
      svg.appendChild(g);
      // An hour label every six buckets, and on the last one.
      if (i % 6 === 0 || i === buckets.length - 1) {
        svg.appendChild(el("text", { x: 30 + i * bw + bw / 2, y: base + 14, "font-size": 10, "text-anchor": "middle", fill: "#667" }, hourLabel(b.at)));
      }
    });
    svg.appendChild(el("text", { x: 2, y: 14, "font-size": 11, fill: "#667" }, String(max)));
    svg.appendChild(el("text", { x: 2, y: base, "font-size": 11, fill: "#667" }, "0"));
    [[names[0], "#c0392b"], [names[1], "#95a5a6"], [names[2], "#27ae60"]].forEach(function (item, k) {
      var x = 30 + k * 70;
      svg.appendChild(el("rect", { x: x, y: h - 12, width: 10, height: 10, fill: item[1] }));
      svg.appendChild(el("text", { x: x + 14, y: h - 3, "font-size": 11, fill: "#334" }, item[0]));
    });
    box.textContent = "";
    box.appendChild(svg);
  }

  function list(ul, items, render) {
    ul.textContent = "";
    items.forEach(function (it) { var li = document.createElement("li"); render(li, it); ul.appendChild(li); });
  }

  function refresh(root) {
    fetch(root.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        document.getElementById("opinion-total").textContent = d.total_posts;
        volumeChart(document.getElementById("opinion-volume"), d.volume);
        list(document.getElementById("opinion-hot"), d.hot_keywords.slice(0, 20), function (li, k) {
          // A burst is marked ↑; its z-score (how far above its own baseline) is in the tooltip, not in editors' way.
          li.textContent = k.word + " " + k.count + (k.burst ? " ↑" : "");
          if (k.burst) {
            li.className = "opinion-burst";
            li.title = (document.documentElement.lang !== "en" ? "突增：高于基线 z=" : "Burst: above its baseline, z=") + k.z_score;
          }
        });
        list(document.getElementById("opinion-alerts"), d.alerts, function (li, a) {
          // The stored title is bilingual (for e-mail); the page shows its own language.
          var zh = document.documentElement.lang !== "en";
          var link = document.createElement("a"); link.href = "/opinion/events/" + a.event_id;
          link.textContent = a.title.replace(/^舆情预警 Alert：/, zh ? "舆情预警：" : "Opinion alert: ");
          li.appendChild(link);
        });
      }).catch(function (e) { if (window.console) console.error(e); });
  }

  var root = document.getElementById("opinion-dashboard");
  if (root) { refresh(root); setInterval(function () { refresh(root); }, 30000); }

  var form = document.getElementById("opinion-import-form");
  if (form) form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var file = document.getElementById("opinion-import-file").files[0];
    var format = document.getElementById("opinion-import-format").value;
    var source = document.getElementById("opinion-import-source");
    var err = form.querySelector(".form-error");
    if (!file) return;
    var query = "format=" + encodeURIComponent(format) + (source && source.value ? "&source_id=" + encodeURIComponent(source.value) : "");
    fetch("/api/v1/opinion/imports?" + query, {
      method: "POST", credentials: "same-origin", body: file,
      headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/octet-stream" }
    }).then(function (r) { return r.json().then(function (d) { if (!r.ok) throw new Error((d.error && (d.error.message + " / " + d.error.message_en)) || ("HTTP " + r.status)); return d; }); })
      .then(function () { window.location.reload(); })
      .catch(function (e) { err.textContent = e.message; err.hidden = false; });
  });

  // Imports still queued or running: their progress every 3 s, until they stop (then the page reloads once, for the
  // resume button or the skipped rows).
  var imports = document.getElementById("opinion-imports");
  var statusLabels = imports ? JSON.parse(imports.getAttribute("data-status-labels") || "{}") : {};
  function followImport(li) {
    var id = li.getAttribute("data-import-id");
    function field(name) { return li.querySelector('[data-field="' + name + '"]'); }
    function tick() {
      fetch("/api/v1/opinion/imports/" + encodeURIComponent(id), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (d) {
          var percent = d.status === "done" ? 100 : (d.total_bytes > 0 ? Math.min(99, Math.floor(d.checkpoint * 100 / d.total_bytes)) : 0);
          field("progress").value = percent;
          field("percent").textContent = percent + "%";
          ["rows_read", "imported", "duplicates", "skipped"].forEach(function (k) { field(k).textContent = d[k]; });
          var status = field("status");
          status.textContent = statusLabels[d.status] || d.status;
          status.className = "pill import-" + d.status;
          li.setAttribute("data-status", d.status);
          if (d.status === "queued" || d.status === "running") { setTimeout(tick, 3000); }
          else { li.removeAttribute("data-live"); if (d.status !== "done") window.location.reload(); }
        })
        .catch(function () { setTimeout(tick, 10000); });
    }
    tick();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#opinion-imports li[data-live]"), followImport);
})();
