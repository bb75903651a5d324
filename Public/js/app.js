// 智媒 Zhimei — small progressive enhancements. Forms marked data-api send JSON to the REST API
// with the session's CSRF token; errors come back bilingual and are shown next to the form.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";

  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (res) {
      if (res.status === 204) return {};
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var e = data && data.error;
          var msg = e ? (lang === "en" ? e.message_en + " / " + e.message : e.message + " / " + e.message_en) : ("HTTP " + res.status);
          throw new Error(msg);
        }
        return data;
      });
    });
  }

  function setPath(obj, path, value) {
    var parts = path.split("."), cur = obj;
    for (var i = 0; i < parts.length - 1; i++) { cur[parts[i]] = cur[parts[i]] || {}; cur = cur[parts[i]]; }
    cur[parts[parts.length - 1]] = value;
  }

  function formJSON(form) {
    var out = {}, arrays = (form.dataset.alwaysArray || "").split(",").filter(Boolean), ints = (form.dataset.int || "").split(",").filter(Boolean);
    var numbers = (form.dataset.number || "").split(",").filter(Boolean);
    arrays.forEach(function (name) { setPath(out, name, []); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "_csrf" || el.hasAttribute("data-skip")) return;
      if (el.type === "checkbox") {
        if (el.name === "roles" || el.name === "scopes" || arrays.indexOf(el.name) >= 0) {
          var list = out[el.name] || (out[el.name] = []);
          if (el.checked) list.push(el.value);
        } else { setPath(out, el.name, el.checked); }
        return;
      }
      var v = el.value;
      if (el.dataset.split) { v = v.split(/[,，、]/).map(function (s) { return s.trim(); }).filter(Boolean); }
      // One list a line, its items separated by spaces or commas (synonym groups).
      else if (el.dataset.lines) {
        v = v.split(/\r?\n/).map(function (line) { return line.split(/[\s,，、]+/).filter(Boolean); }).filter(function (a) { return a.length; });
      }
      else if (ints.indexOf(el.name) >= 0) { v = v === "" ? null : parseInt(v, 10); }
      else if (numbers.indexOf(el.name) >= 0) { v = v === "" ? null : parseFloat(v); }
      // Times are entered and shown in China time (as every time on the pages), whatever the browser's zone.
      else if (el.type === "datetime-local" && el.hasAttribute("data-china-time") && v) { v = v + (v.length === 16 ? ":00" : "") + "+08:00"; }
      else if (v === "" && el.type !== "hidden" && !el.required) { v = el.type === "password" ? undefined : null; }
      if (v !== undefined) setPath(out, el.name, v);
    });
    return out;
  }

  function showResult(container, label, value) {
    var box = container.querySelector(".result") || container.parentNode.querySelector(".result");
    if (!box) { box = document.createElement("div"); box.className = "result"; container.appendChild(box); }
    box.hidden = false;
    box.textContent = "";
    var p = document.createElement("p"); p.textContent = label; box.appendChild(p);
    var code = document.createElement("code"); code.textContent = value; code.className = "secret"; box.appendChild(code);
    var btn = document.createElement("button"); btn.type = "button"; btn.className = "btn btn-small"; btn.textContent = lang === "en" ? "Copy" : "复制";
    btn.addEventListener("click", function () { if (navigator.clipboard) navigator.clipboard.writeText(value); });
    box.appendChild(document.createTextNode(" ")); box.appendChild(btn);
  }

  function reportError(container, err) {
    var box = container.querySelector(".form-error") || container.parentNode.querySelector(".form-error");
    if (!box) { box = document.createElement("p"); box.className = "form-error"; box.setAttribute("role", "alert"); container.appendChild(box); }
    box.hidden = false; box.textContent = err.message;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.dataset || !form.dataset.api) return;
    ev.preventDefault();
    var errorBox = form.querySelector(".form-error"); if (errorBox) errorBox.hidden = true;
    var body = formJSON(form);
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    if (form.dataset.confirmField) {
      var a = form.elements[form.dataset.confirmOf], b = form.elements[form.dataset.confirmField];
      if (a && b && a.value !== b.value) { reportError(form, new Error(form.dataset.mismatch)); return; }
    }
    var submit = form.querySelector('[type="submit"]'); if (submit) submit.setAttribute("aria-busy", "true");
    api(form.dataset.method || "POST", form.dataset.api, body).then(function (data) {
      if (submit) submit.removeAttribute("aria-busy");
      var shown = form.dataset.show && data[form.dataset.show];
      if (shown) { showResult(form, form.dataset.showLabel || "", shown); form.reset(); return; }
      if (form.dataset.notice) { var n = document.createElement("p"); n.className = "notice"; n.setAttribute("role", "status"); n.textContent = form.dataset.notice; form.appendChild(n); setTimeout(function () { n.remove(); }, 2500); return; }
      var target = form.dataset.redirect || form.dataset.redirectUnlessShown;
      if (target) { window.location.href = target; } else { window.location.reload(); }
    }).catch(function (err) { if (submit) submit.removeAttribute("aria-busy"); reportError(form, err); });
  });

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-api]") : null;
    if (!btn) return;
    ev.preventDefault();
    if (btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) return;
    btn.setAttribute("aria-busy", "true");
    var body = btn.dataset.body ? JSON.parse(btn.dataset.body) : undefined;
    api(btn.dataset.method || "POST", btn.dataset.api, body).then(function (data) {
      btn.removeAttribute("aria-busy");
      if (btn.dataset.show && data[btn.dataset.show]) { showResult(btn.parentNode, btn.dataset.showLabel || "", data[btn.dataset.show]); return; }
      if (btn.hasAttribute("data-follow-job") && data.id) { followJob(data.id, btn.parentNode.parentNode.querySelector(".job-progress")); return; }
      window.location.reload();
    }).catch(function (err) { btn.removeAttribute("aria-busy"); reportError(btn.parentNode, err); });
  });

  // Live job progress over Server-Sent Events.
  function followJob(id, container) {
    if (!container || !window.EventSource) return;
    container.hidden = false;
    var bar = container.querySelector("progress"), stage = container.querySelector(".job-stage");
    var source = new EventSource("/api/v1/jobs/" + encodeURIComponent(id) + "/events");
    source.addEventListener("progress", function (e) {
      var job = JSON.parse(e.data);
      if (bar) bar.value = job.progress_percent;
      if (stage) stage.textContent = job.state + " · " + job.progress_stage + (job.result ? " · " + job.result : "") + (job.last_error ? " · " + job.last_error : "");
    });
    source.addEventListener("end", function () { source.close(); });
    source.onerror = function () { source.close(); };
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-job-stream]"), function (row) { followJob(row.dataset.jobStream, row); });

  var tenantSwitch = document.querySelector("[data-tenant-switch]");
  if (tenantSwitch) tenantSwitch.addEventListener("change", function () {
    api("PUT", "/api/v1/me/tenant", { tenant_id: tenantSwitch.value }).then(function () { window.location.reload(); }).catch(function (e) { alert(e.message); });
  });

  var langLink = document.querySelector("[data-lang-switch]");
  if (langLink) langLink.href = langLink.href.split("?")[0] + "?back=" + encodeURIComponent(location.pathname + location.search);

  var toggle = document.querySelector("[data-menu-toggle]");
  if (toggle) toggle.addEventListener("click", function () {
    var side = document.getElementById("sidebar"), open = side.classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // A readable API reference from the OpenAPI document.
  var ref = document.getElementById("api-reference");
  if (ref) fetch(ref.dataset.openapi).then(function (r) { return r.json(); }).then(function (doc) {
    var byTag = {};
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method], tag = (op.tags || ["other"])[0];
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    Object.keys(byTag).sort().forEach(function (tag) {
      var h = document.createElement("h3"); h.className = "api-tag"; h.textContent = tag; ref.appendChild(h);
      byTag[tag].forEach(function (item) {
        var div = document.createElement("div"); div.className = "api-op";
        var m = document.createElement("span"); m.className = "api-method " + item.method; m.textContent = item.method.toUpperCase();
        var c = document.createElement("code"); c.textContent = item.path;
        var s = document.createElement("div"); s.className = "small"; s.textContent = item.op.summary + " — " + (item.op.description || "");
        div.appendChild(m); div.appendChild(c); div.appendChild(s); ref.appendChild(div);
      });
    });
  });
})();
