/* Autosave: each answer is posted as soon as it is chosen, with a visible and announced "Saved" state.
   Without JavaScript the section's Save button does the same job. No framework, no inline code (CSP). */
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form || form.getAttribute("data-autosave") !== "on" || !window.fetch) { return; }
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var live = document.getElementById("autosave-live");
  var queues = {};
  var noteTimers = {};

  function blocks() { return Array.prototype.slice.call(form.querySelectorAll(".ma-question")); }
  function blockOf(el) { return el.closest ? el.closest(".ma-question") : null; }

  function valuesOf(block) {
    var id = block.getAttribute("data-question");
    var type = block.getAttribute("data-type");
    if (type === "number") {
      var dk = block.querySelector('input[name="dk_' + id + '"]');
      if (dk && dk.checked) { return ["dont_know"]; }
      var box = block.querySelector('input[name="q_' + id + '"]');
      return box && box.value.trim() ? [box.value.trim()] : [];
    }
    return Array.prototype.slice.call(block.querySelectorAll('input[name="q_' + id + '"]:checked'))
      .map(function (i) { return i.value; });
  }

  function noteOf(block) {
    var t = block.querySelector("textarea");
    return t ? t.value : "";
  }

  function setStatus(block, text, kind) {
    var el = block.querySelector(".ma-save-status");
    el.textContent = text;
    el.className = "ma-save-status" + (kind ? " ma-save-status--" + kind : "");
    if (live) { live.textContent = ""; window.setTimeout(function () { live.textContent = text; }, 50); }
  }

  function describedBy(block, id, on) {
    var fieldset = block.querySelector("fieldset");
    var ids = (fieldset.getAttribute("aria-describedby") || "").split(" ").filter(function (t) { return t && t !== id; });
    if (on) { ids.push(id); }
    fieldset.setAttribute("aria-describedby", ids.join(" "));
  }

  function clearPanels(block) {
    Array.prototype.forEach.call(block.querySelectorAll(".ma-inline-error, .ma-conflict-panel"), function (n) {
      n.parentNode.removeChild(n);
    });
    describedBy(block, "err-live-" + block.getAttribute("data-question"), false);
  }

  // After the conflict message is dismissed its buttons are gone: focus goes back to the answer it is about,
  // never to the top of the page.
  function focusAnswer(block) {
    var control = block.querySelector("input:checked:not([type=hidden])") ||
      block.querySelector("input:not([type=hidden])");
    if (control) { control.focus(); }
  }

  function hhmm(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function setVersion(block, version, digest) {
    block.setAttribute("data-version", String(version));
    var hidden = block.querySelector('input[name="v_' + block.getAttribute("data-question") + '"]');
    if (hidden) { hidden.value = version + ":" + (digest || ""); }
  }

  function applyValue(block, value) {
    var id = block.getAttribute("data-question");
    var list = value === null || value === undefined ? [] : (Array.isArray(value) ? value : [String(value)]);
    if (block.getAttribute("data-type") === "number") {
      var dk = block.querySelector('input[name="dk_' + id + '"]');
      var box = block.querySelector('input[name="q_' + id + '"]');
      dk.checked = list[0] === "dont_know";
      box.value = list[0] && list[0] !== "dont_know" ? list[0] : "";
      return;
    }
    Array.prototype.forEach.call(block.querySelectorAll('input[name="q_' + id + '"]'), function (i) {
      i.checked = list.indexOf(i.value) !== -1;
    });
  }

  function showConflict(block, data) {
    clearPanels(block);
    var panel = document.createElement("div");
    panel.className = "usa-alert usa-alert--warning usa-alert--slim ma-conflict-panel";
    panel.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.className = "usa-alert__body";
    var p = document.createElement("p");
    p.className = "usa-alert__text";
    p.textContent = data.message + " Saved by " + data.theirs.by + ": \u201c" + data.theirs.label +
      "\u201d. Yours: \u201c" + data.yours.label + "\u201d.";
    var keep = document.createElement("button");
    keep.type = "button";
    keep.className = "usa-button";
    keep.textContent = "Keep my answer";
    var take = document.createElement("button");
    take.type = "button";
    take.className = "usa-button usa-button--outline";
    take.textContent = "Use the saved answer";
    keep.addEventListener("click", function () {
      setVersion(block, data.theirs.version, "");
      clearPanels(block);
      focusAnswer(block);
      save(block);
    });
    take.addEventListener("click", function () {
      applyValue(block, data.theirs.value);
      var t = block.querySelector("textarea");
      if (t) { t.value = data.theirs.note || ""; }
      setVersion(block, data.theirs.version, "");
      clearPanels(block);
      setStatus(block, "Showing the saved answer", "saved");
      updateVisibility();
      focusAnswer(block);
    });
    body.appendChild(p);
    body.appendChild(keep);
    body.appendChild(take);
    panel.appendChild(body);
    block.querySelector("fieldset").appendChild(panel);
    keep.focus();
  }

  function showError(block, message) {
    clearPanels(block);
    var err = document.createElement("span");
    err.className = "usa-error-message ma-inline-error";
    err.id = "err-live-" + block.getAttribute("data-question");
    err.setAttribute("role", "alert");
    err.textContent = message;
    block.querySelector("legend").insertAdjacentElement("afterend", err);
    describedBy(block, err.id, true);  // read again with the question when someone returns to it
  }

  function post(block) {
    var fd = new FormData();
    valuesOf(block).forEach(function (v) { fd.append("value", v); });
    fd.append("note", noteOf(block));
    fd.append("version", block.getAttribute("data-version") || "0");
    setStatus(block, "Saving\u2026", "saving");
    return fetch(block.getAttribute("data-save-url"), {
      method: "POST", body: fd, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (resp) {
      return resp.json().catch(function () { return { status: "error", message: "The server did not answer as expected." }; })
        .then(function (data) { return { code: resp.status, data: data }; });
    }).then(function (r) {
      if (r.code === 200) {
        clearPanels(block);
        setVersion(block, r.data.version, r.data.digest);
        setStatus(block, r.data.status === "saved" ? "Saved at " + hhmm(r.data.saved_at) : "Saved", "saved");
      } else if (r.code === 409 && r.data.status === "conflict") {
        setStatus(block, "Not saved: someone else changed this answer", "error");
        showConflict(block, r.data);
      } else {
        setStatus(block, "Not saved", "error");
        showError(block, r.data.message || "This answer could not be saved.");
      }
    }).catch(function () {
      setStatus(block, "Not saved: no connection. Your answer is still on this page; use \u201cSave this section\u201d when you are back online.", "error");
    });
  }

  function save(block) {
    var id = block.getAttribute("data-question");
    queues[id] = (queues[id] || Promise.resolve()).then(function () { return post(block); });
    return queues[id];
  }

  function currentAnswer(id) {
    var block = form.querySelector('.ma-question[data-question="' + id + '"]');
    return block ? valuesOf(block) : [];
  }

  function updateVisibility() {
    blocks().forEach(function (block) {
      var raw = block.getAttribute("data-show-if");
      if (!raw) { return; }
      var show = JSON.parse(raw).every(function (c) {
        var got = currentAnswer(c.question);
        if (!got.length) { return false; }
        var hit = got.some(function (v) { return c.values.indexOf(v) !== -1; });
        return c["in"] ? hit : !hit;
      });
      block.hidden = !show;
    });
  }

  function exclusive(input) {
    var block = blockOf(input);
    if (!input.checked || input.type !== "checkbox" || block.getAttribute("data-type") !== "multi") { return; }
    var solo = input.getAttribute("data-exclusive") === "true";
    Array.prototype.forEach.call(block.querySelectorAll('input[type="checkbox"]'), function (other) {
      if (other !== input && (solo || other.getAttribute("data-exclusive") === "true")) { other.checked = false; }
    });
  }

  form.addEventListener("change", function (ev) {
    var block = blockOf(ev.target);
    if (!block) { return; }
    if (ev.target.tagName === "TEXTAREA") { window.clearTimeout(noteTimers[block.id]); save(block); return; }
    if (ev.target.type === "checkbox" && ev.target.name.indexOf("dk_") === 0 && ev.target.checked) {
      block.querySelector('input[name="q_' + block.getAttribute("data-question") + '"]').value = "";
    }
    exclusive(ev.target);
    updateVisibility();
    save(block);
  });

  form.addEventListener("input", function (ev) {
    if (ev.target.tagName !== "TEXTAREA") { return; }
    var block = blockOf(ev.target);
    window.clearTimeout(noteTimers[block.id]);
    noteTimers[block.id] = window.setTimeout(function () { save(block); }, 1500);
  });
})();
