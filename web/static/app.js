// Chỉ đạo: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Rows of an array-of-objects field (the task list of a draft): add and remove.
  function renumber(fieldset) {
    var path = fieldset.getAttribute("data-path");
    var rows = fieldset.querySelectorAll(".rows > .row");
    rows.forEach(function (row, index) {
      row.setAttribute("data-index", index);
      row.querySelectorAll("[name]").forEach(function (input) {
        var name = input.getAttribute("name");
        var rest = name.slice(path.length + 1).replace(/^[^.]+/, String(index));
        input.setAttribute("name", path + "." + rest);
        if (input.id) {
          var suffix = input.type === "checkbox" ? "-" + input.value : "";
          input.id = "f-" + (path + "." + rest).replace(/\./g, "-") + suffix;
        }
      });
      row.querySelectorAll(".picker").forEach(function (picker) {
        var first = picker.querySelector("input");
        if (first) { picker.id = first.id.slice(0, first.id.length - first.value.length - 1); }
      });
    });
  }

  document.querySelectorAll("fieldset.table-field").forEach(function (fieldset) {
    var add = fieldset.querySelector(".add-row");
    var template = fieldset.querySelector("template.row-template");
    if (add && template) {
      add.addEventListener("click", function () {
        var rows = fieldset.querySelector(".rows");
        var clone = template.content.firstElementChild.cloneNode(true);
        rows.appendChild(clone);
        renumber(fieldset);
        var first = clone.querySelector("input, textarea, select");
        if (first) { first.focus(); }
      });
    }
    fieldset.addEventListener("click", function (event) {
      if (event.target.classList.contains("remove-row")) {
        var rows = fieldset.querySelectorAll(".rows > .row");
        if (rows.length > 1) {
          event.target.closest(".row").remove();
          renumber(fieldset);
        }
      }
    });
  });

  // Agency pickers: keep the "chosen" line under each list up to date.
  document.addEventListener("change", function (event) {
    var picker = event.target.closest(".picker");
    if (!picker) { return; }
    var names = [];
    picker.querySelectorAll("input:checked").forEach(function (box) {
      names.push(box.parentElement.textContent.trim());
    });
    var line = picker.parentElement.querySelector("[data-chosen-for] span");
    if (line) { line.textContent = names.join("; "); }
  });

  // Deadline phrases: show the date they resolve to, and fill the date beside them.
  function previewDeadline(input) {
    var box = input.parentElement.querySelector(".deadline-preview");
    var row = input.closest(".row");
    var date = row ? row.querySelector("input[type=date]") : null;
    var phrase = input.value.trim();
    if (!phrase) { box.textContent = ""; box.className = "deadline-preview"; return; }
    fetch(input.getAttribute("data-preview") + "?phrase=" + encodeURIComponent(phrase), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (found) {
        if (found.error) {
          box.textContent = found.error; box.className = "deadline-preview bad"; return;
        }
        box.className = "deadline-preview ok";
        box.textContent = found.recurrence ? "→ " + box.getAttribute("data-recurring") + " " + found.recurrence
                                           : "→ " + found.due_text;
        if (date && found.date) { date.value = found.date; }
      });
  }
  var timer = null;
  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("deadline-phrase")) { return; }
    clearTimeout(timer);
    var input = event.target;
    timer = setTimeout(function () { previewDeadline(input); }, 300);
  });
  document.querySelectorAll(".deadline-phrase").forEach(function (input) {
    if (input.value.trim()) { previewDeadline(input); }
  });

  // The process diagram of a directive, with the current position marked.
  var holder = document.getElementById("diagram");
  if (holder && window.BpmnJS) {
    var viewer = new window.BpmnJS({ container: holder });
    fetch(holder.getAttribute("data-xml")).then(function (r) { return r.text(); }).then(function (xml) {
      return viewer.importXML(xml);
    }).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      JSON.parse(holder.getAttribute("data-completed") || "[]").forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "completed"); }
      });
      JSON.parse(holder.getAttribute("data-active") || "[]").forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "active"); }
      });
      var overlays = viewer.get("overlays");
      JSON.parse(holder.getAttribute("data-incidents") || "[]").forEach(function (id) {
        if (!registry.get(id)) { return; }
        canvas.addMarker(id, "incident");
        var badge = document.createElement("span");
        badge.className = "incident-badge";
        badge.textContent = "⚠ " + holder.getAttribute("data-incident-label");
        overlays.add(id, { position: { top: -14, right: 10 }, html: badge });
      });
      holder.setAttribute("data-ready", "true");
    }).catch(function (error) {
      holder.textContent = holder.getAttribute("data-error") + " " + error.message;
    });
  }

  // Import review: a field's «xem trong văn bản» scrolls the source to its words and flashes them.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".src-link") : null;
    var source = document.getElementById("source-text");
    if (!link || !source) { return; }
    event.preventDefault();
    source.querySelectorAll("mark.flash").forEach(function (m) { m.classList.remove("flash"); });
    var ids = link.getAttribute("data-src").split(" ");
    ids.forEach(function (id) {
      source.querySelectorAll('[data-src="' + id + '"]').forEach(function (m) { m.classList.add("flash"); });
    });
    var first = document.getElementById(ids[0]);
    if (first) { first.scrollIntoView({ block: "center", behavior: "smooth" }); }
  });
})();
