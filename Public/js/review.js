// 智媒 Zhimei — review workflow (三审三校): action buttons, AIGC label removal and the stage settings form.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";

  function api(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json", "X-CSRF-Token": csrf } };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var e = data && data.error;
          throw new Error(e ? (lang === "en" ? e.message_en + " / " + e.message : e.message + " / " + e.message_en) : "HTTP " + res.status);
        }
        return data;
      });
    });
  }

  function showError(container, err) {
    var box = container.querySelector(".form-error");
    if (box) { box.hidden = false; box.textContent = err.message; }
  }

  // Approve / return / reject / submit / recall on the story review page.
  var root = document.getElementById("review-root");
  var form = document.getElementById("review-action-form");
  if (root && form) {
    form.addEventListener("submit", function (ev) { ev.preventDefault(); });
    Array.prototype.forEach.call(form.querySelectorAll("[data-review-action]"), function (btn) {
      btn.addEventListener("click", function () {
        var action = btn.dataset.reviewAction;
        if (btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) return;
        var body = { comment: form.elements.comment.value };
        var round = parseInt(root.dataset.round, 10), stage = parseInt(root.dataset.stage, 10);
        if (action !== "submit") {
          if (round > 0) body.round = round;
          if (stage >= 0) body.stage_index = stage;
        }
        var box = form.querySelector(".form-error"); if (box) box.hidden = true;
        btn.setAttribute("aria-busy", "true");
        api("POST", "/api/v1/review/stories/" + encodeURIComponent(root.dataset.story) + "/" + action, body)
          .then(function () { window.location.reload(); })
          .catch(function (err) { btn.removeAttribute("aria-busy"); showError(form, err); });
      });
    });
  }

  // Removing a visible AIGC label (reason required).
  Array.prototype.forEach.call(document.querySelectorAll(".review-label-form"), function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var block = f.dataset.block;
      var body = { reason: f.elements.reason.value, block_index: block === "" ? null : parseInt(block, 10) };
      api("POST", "/api/v1/review/stories/" + encodeURIComponent(root.dataset.story) + "/aigc-labels/remove", body)
        .then(function () { window.location.reload(); })
        .catch(function (err) { showError(f, err); });
    });
  });

  // Stage settings: names, permission per stage, distinct signers.
  var settings = document.getElementById("review-settings-form");
  if (settings) {
    var tbody = settings.querySelector("tbody");
    function renumber() {
      Array.prototype.forEach.call(tbody.querySelectorAll("tr"), function (tr, i) {
        tr.querySelector(".stage-no").textContent = String(i + 1);
        var name = tr.querySelector('input[name="stage_name"]'), sel = tr.querySelector('select[name="stage_permission"]');
        name.id = "stage-name-" + i; sel.id = "stage-perm-" + i;
        tr.querySelectorAll("label")[0].htmlFor = name.id; tr.querySelectorAll("label")[1].htmlFor = sel.id;
      });
    }
    renumber();
    tbody.addEventListener("click", function (ev) {
      var btn = ev.target.closest ? ev.target.closest("[data-remove-stage]") : null;
      if (!btn) return;
      if (tbody.querySelectorAll("tr").length <= 1) return;
      btn.closest("tr").remove(); renumber();
    });
    document.getElementById("review-add-stage").addEventListener("click", function () {
      var rows = tbody.querySelectorAll("tr");
      if (rows.length >= 6) return;
      var copy = rows[rows.length - 1].cloneNode(true);
      copy.querySelector('input[name="stage_name"]').value = "";
      copy.querySelector('select[name="stage_permission"]').value = "default";
      tbody.appendChild(copy); renumber();
      copy.querySelector('input[name="stage_name"]').focus();
    });
    settings.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var stages = [], perms = [];
      Array.prototype.forEach.call(tbody.querySelectorAll("tr"), function (tr) {
        stages.push(tr.querySelector('input[name="stage_name"]').value.trim());
        perms.push(tr.querySelector('select[name="stage_permission"]').value);
      });
      var box = settings.querySelector(".form-error"); if (box) box.hidden = true;
      api("PUT", "/api/v1/review/tenants/" + encodeURIComponent(settings.dataset.tenant) + "/config",
          { stages: stages, stage_permissions: perms, distinct_signers: settings.elements.distinct_signers.checked })
        .then(function () { window.location.reload(); })
        .catch(function (err) { showError(settings, err); });
    });
  }
})();
