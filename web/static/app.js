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
      holder.setAttribute("data-ready", "true");
    }).catch(function (error) {
      holder.textContent = holder.getAttribute("data-error") + " " + error.message;
    });
  }
})();
