// 智媒 Zhimei — Planning: move topics on the kanban board by drag and drop, or with the move buttons
// (keyboard alternative). Each move calls POST /api/v1/topics/{id}/transition; the server validates it.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var lang = (document.querySelector('meta[name="lang"]') || {}).content || "zh";
  var errorBox = document.querySelector("[data-board-error]");

  function showError(message) {
    if (!errorBox) { window.alert(message); return; }
    errorBox.textContent = message;
    errorBox.hidden = false;
    errorBox.focus && errorBox.setAttribute("tabindex", "-1");
    errorBox.focus && errorBox.focus();
  }

  function move(topicID, to) {
    return fetch("/api/v1/topics/" + encodeURIComponent(topicID) + "/transition", {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ to: to })
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) {
          var e = data && data.error;
          throw new Error(e ? (lang === "en" ? e.message_en + " / " + e.message : e.message + " / " + e.message_en) : "HTTP " + res.status);
        }
        return data;
      });
    });
  }

  function moveAndReload(topicID, to, focusKey) {
    move(topicID, to).then(function () {
      try { sessionStorage.setItem("planning-focus", focusKey || ""); } catch (e) {}
      window.location.reload();
    }).catch(function (err) { showError(err.message); });
  }

  // Move buttons (keyboard and pointer).
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("button[data-move]") : null;
    if (!btn) return;
    ev.preventDefault();
    btn.setAttribute("aria-busy", "true");
    moveAndReload(btn.dataset.topicId, btn.dataset.move, btn.dataset.topicId);
  });

  // After a move, put keyboard focus back on the moved card.
  try {
    var focusID = sessionStorage.getItem("planning-focus");
    if (focusID) {
      sessionStorage.removeItem("planning-focus");
      var card = document.querySelector('[data-topic="' + focusID.replace(/[^0-9A-Fa-f-]/g, "") + '"] a');
      if (card) card.focus();
    }
  } catch (e) {}

  // Drag and drop between neighbouring columns.
  var board = document.querySelector("[data-kanban]");
  if (!board) return;
  var dragged = null;
  board.addEventListener("dragstart", function (ev) {
    var card = ev.target.closest && ev.target.closest("[data-topic]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", card.dataset.topic);
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    Array.prototype.forEach.call(board.querySelectorAll(".drop-ok"), function (c) { c.classList.remove("drop-ok"); });
  });
  board.addEventListener("dragover", function (ev) {
    var col = ev.target.closest && ev.target.closest(".kanban-col");
    if (!col || !dragged) return;
    var target = col.dataset.status;
    if (target === dragged.dataset.left || target === dragged.dataset.right) {
      ev.preventDefault();
      ev.dataTransfer.dropEffect = "move";
      col.classList.add("drop-ok");
    }
  });
  board.addEventListener("dragleave", function (ev) {
    var col = ev.target.closest && ev.target.closest(".kanban-col");
    if (col && !col.contains(ev.relatedTarget)) col.classList.remove("drop-ok");
  });
  board.addEventListener("drop", function (ev) {
    var col = ev.target.closest && ev.target.closest(".kanban-col");
    if (!col || !dragged) return;
    ev.preventDefault();
    var target = col.dataset.status;
    if (target === dragged.dataset.status) return;
    var card = dragged;
    col.querySelector(".kanban-cards").appendChild(card);   // optimistic; the reload shows the server's truth
    moveAndReload(card.dataset.topic, target, card.dataset.topic);
  });
})();
