// The history walker: one recorded event at a time, the diagram showing where the tokens were.
(function () {
  "use strict";

  var walker = document.getElementById("walker");
  if (!walker) { return; }
  var steps = JSON.parse(walker.getAttribute("data-steps"));
  var labels = JSON.parse(document.getElementById("audit-labels").innerHTML);
  var slider = document.getElementById("step-slider");
  var holder = document.getElementById("audit-diagram");
  var viewer = window.BpmnJS ? new window.BpmnJS({ container: holder }) : null;
  var shownDiagram = null;
  var marked = [];

  function text(id, value) { document.getElementById(id).textContent = value; }

  function show(value) {
    return value === undefined || value === null ? "—" : (typeof value === "string" ? value : JSON.stringify(value));
  }

  function mark(step) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    [["completed", step.completed], ["active", step.active]].forEach(function (pair) {
      pair[1].forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, pair[0]); marked.push([id, pair[0]]); }
      });
    });
    if (step.element_id && registry.get(step.element_id)) {
      canvas.addMarker(step.element_id, "current");
      marked.push([step.element_id, "current"]);
    }
    holder.setAttribute("data-step", String(step.seq));
  }

  function drawDiagram(step) {
    if (!viewer) { return; }
    if (shownDiagram === step.diagram) { mark(step); return; }
    shownDiagram = step.diagram;
    fetch(step.diagram, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () { marked = []; viewer.get("canvas").zoom("fit-viewport"); mark(steps[slider.value - 1]); })
      .catch(function (error) { holder.textContent = holder.getAttribute("data-error") + " " + error.message; });
  }

  function go(number) {
    var n = Math.max(1, Math.min(steps.length, number));
    var step = steps[n - 1];
    slider.value = n;
    text("step-position", n + labels.of + steps.length);
    text("step-label", step.label);
    text("step-when", step.when);
    text("step-actor", step.actor ? step.actor + (step.actor_org ? " (" + step.actor_org + ")" : "") : labels.system);
    text("step-definition", step.definition_id);
    text("step-hash", step.hash);
    text("step-data", JSON.stringify(step.data, null, 2));
    var body = document.querySelector("#step-changes tbody");
    body.innerHTML = "";
    var names = Object.keys(step.changes);
    if (!names.length) {
      var empty = body.insertRow();
      var cell = empty.insertCell();
      cell.colSpan = 3;
      cell.className = "muted";
      cell.textContent = labels.none;
    }
    names.forEach(function (name) {
      var row = body.insertRow();
      row.insertCell().textContent = name;
      row.insertCell().textContent = show(step.changes[name][0]);
      row.insertCell().textContent = show(step.changes[name][1]);
    });
    var link = "?step=" + step.seq;
    document.getElementById("step-link").setAttribute("href", link);
    if (window.history.replaceState) { window.history.replaceState(null, "", link); }
    drawDiagram(step);
  }

  slider.addEventListener("input", function () { go(Number(slider.value)); });
  document.getElementById("step-prev").addEventListener("click", function () { go(Number(slider.value) - 1); });
  document.getElementById("step-next").addEventListener("click", function () { go(Number(slider.value) + 1); });
  document.addEventListener("keydown", function (event) {
    if (event.target.tagName === "INPUT" && event.target !== slider) { return; }
    var moves = { ArrowLeft: -1, ArrowRight: 1 };
    if (event.key in moves && event.target !== slider) { go(Number(slider.value) + moves[event.key]); event.preventDefault(); }
    if (event.key === "Home") { go(1); event.preventDefault(); }
    if (event.key === "End") { go(steps.length); event.preventDefault(); }
  });
  go(Number(walker.getAttribute("data-start")) || 1);
  walker.setAttribute("data-ready", "true");
})();
