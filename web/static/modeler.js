// The process modeler: bpmn-js with a properties panel for what the engine reads.
(function () {
  "use strict";

  var page = document.getElementById("modeler-page");
  if (!page) { return; }
  var config = JSON.parse(page.getAttribute("data-config"));
  var labels = JSON.parse(document.getElementById("labels").innerHTML);
  var status = document.getElementById("modeler-status");
  var panel = document.getElementById("properties");
  var modeler = null;
  var original = "";
  var marked = [];

  function json(url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }); }

  function say(text, kind) {
    status.textContent = text;
    status.className = kind === "bad" ? "error" : (kind === "ok" ? "pill ok" : "muted");
  }

  // -- reading and writing the element's properties ---------------------------------------
  function bo(element) { return element.businessObject; }

  function extensionProperty(element, name) {
    var ext = bo(element).extensionElements;
    var holder = ext && (ext.values || []).filter(function (v) { return v.$type === "camunda:Properties"; })[0];
    var found = holder && (holder.values || []).filter(function (p) { return p.name === name; })[0];
    return found ? found.value : "";
  }

  function setExtensionProperty(element, name, value) {
    var moddle = modeler.get("moddle");
    var modeling = modeler.get("modeling");
    var ext = bo(element).extensionElements || moddle.create("bpmn:ExtensionElements", { values: [] });
    var holder = (ext.values || []).filter(function (v) { return v.$type === "camunda:Properties"; })[0];
    if (!holder) {
      holder = moddle.create("camunda:Properties", { values: [] });
      ext.get("values").push(holder);
    }
    var values = holder.get("values").filter(function (p) { return p.name !== name; });
    if (value !== "") { values.push(moddle.create("camunda:Property", { name: name, value: value })); }
    holder.values = values;
    modeling.updateProperties(element, { extensionElements: ext });
  }

  function timerOf(element) {
    var definitions = bo(element).eventDefinitions || [];
    return definitions.filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
  }

  function field(label, control) {
    var wrap = document.createElement("div");
    wrap.className = "field";
    var title = document.createElement("label");
    title.textContent = label;
    title.htmlFor = control.id;
    wrap.appendChild(title);
    wrap.appendChild(control);
    return wrap;
  }

  function input(id, value, onChange, readOnly) {
    var control = document.createElement("input");
    control.type = "text";
    control.id = "prop-" + id;
    control.value = value || "";
    control.readOnly = !!readOnly || !config.can_change;
    control.addEventListener("change", function () { onChange(control.value.trim()); });
    return control;
  }

  function select(id, value, options, onChange) {
    var control = document.createElement("select");
    control.id = "prop-" + id;
    control.disabled = !config.can_change;
    [""].concat(options).forEach(function (option) {
      var item = document.createElement("option");
      item.value = option;
      item.textContent = option || labels.none;
      item.selected = option === (value || "");
      control.appendChild(item);
    });
    control.addEventListener("change", function () { onChange(control.value); });
    return control;
  }

  function attributeUpdater(element, name) {
    return function (value) {
      var props = {};
      props[name] = value || undefined;
      modeler.get("modeling").updateProperties(element, props);
    };
  }

  function showProperties(element) {
    panel.innerHTML = "";
    if (!element) { return; }
    var type = bo(element).$type;
    var modeling = modeler.get("modeling");
    panel.appendChild(field(labels.id, input("id", bo(element).id, function () {}, true)));
    if (type !== "bpmn:Collaboration" && type !== "bpmn:Process") {
      panel.appendChild(field(labels.name, input("name", bo(element).name, function (value) {
        modeling.updateLabel(element, value);
      })));
    }
    if (type === "bpmn:UserTask") {
      ["candidateGroups", "assignee"].forEach(function (name) {
        panel.appendChild(field(labels[name], input(name, bo(element).get("camunda:" + name),
                                                     attributeUpdater(element, "camunda:" + name))));
      });
      panel.appendChild(field(labels.formKey, select("formKey", bo(element).get("camunda:formKey"), config.forms,
                                                      attributeUpdater(element, "camunda:formKey"))));
      ["dueDate", "followUpDate"].forEach(function (name) {
        panel.appendChild(field(labels[name], input(name, bo(element).get("camunda:" + name),
                                                     attributeUpdater(element, "camunda:" + name))));
      });
    }
    if (type === "bpmn:ServiceTask") {
      panel.appendChild(field(labels.handler, select("handler", bo(element).get("chidao:handler"), config.handlers,
                                                      attributeUpdater(element, "chidao:handler"))));
      ["reminder_days", "escalation_days"].forEach(function (name) {
        panel.appendChild(field(labels[name], input(name, extensionProperty(element, name), function (value) {
          setExtensionProperty(element, name, value);
        })));
      });
    }
    if (type === "bpmn:CallActivity") {
      panel.appendChild(field(labels.calledElement, input("calledElement", bo(element).calledElement,
                                                           attributeUpdater(element, "calledElement"))));
    }
    if (type === "bpmn:SequenceFlow") {
      var condition = bo(element).conditionExpression;
      panel.appendChild(field(labels.condition, input("condition", condition ? condition.body : "", function (value) {
        var expression = value ? modeler.get("moddle").create("bpmn:FormalExpression", { body: value }) : undefined;
        modeling.updateProperties(element, { conditionExpression: expression });
      })));
    }
    var timer = timerOf(element);
    if (timer) {
      var kind = timer.timeDate ? "timeDate" : (timer.timeCycle ? "timeCycle" : "timeDuration");
      var current = timer[kind] ? timer[kind].body : "";
      var kinds = select("timerKind", kind, ["timeDate", "timeDuration", "timeCycle"], function (value) {
        writeTimer(value || "timeDate", document.getElementById("prop-timer").value.trim());
      });
      panel.appendChild(field(labels.timerKind, kinds));
      panel.appendChild(field(labels.timer, input("timer", current, function (value) {
        writeTimer(kinds.value || "timeDate", value);
      })));
    }

    function writeTimer(which, value) {
      var props = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      props[which] = modeler.get("moddle").create("bpmn:FormalExpression", { body: value });
      modeling.updateModdleProperties(element, timer, props);
    }
  }

  // -- validation, drafts, deployment ----------------------------------------------------------
  function clearMarks() {
    var canvas = modeler.get("canvas");
    marked.forEach(function (id) { canvas.removeMarker(id, "invalid"); });
    modeler.get("overlays").remove({ type: "problem" });
    marked = [];
  }

  function showProblems(problems) {
    clearMarks();
    var registry = modeler.get("elementRegistry");
    var list = document.getElementById("problem-list");
    list.innerHTML = "";
    document.getElementById("problems").hidden = !problems.length;
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = (problem.element_id ? "[" + problem.element_id + "] " : "") + problem.message;
      item.setAttribute("data-element", problem.element_id || "");
      var element = problem.element_id && registry.get(problem.element_id);
      if (element) {
        modeler.get("canvas").addMarker(element.id, "invalid");
        if (marked.indexOf(element.id) < 0) {
          marked.push(element.id);
          modeler.get("overlays").add(element.id, "problem", {
            position: { top: -12, right: 12 }, html: '<span class="problem-badge">!</span>' });
        }
        item.addEventListener("click", function () { modeler.get("selection").select(element); });
      }
      list.appendChild(item);
    });
  }

  // Saving a model nobody edited returns the file as it came, byte for byte.
  function exportXML() {
    if (!modeler.get("commandStack").canUndo()) { return Promise.resolve(original); }
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function post(url) {
    return exportXML().then(function (xml) {
      return fetch(url, { method: "POST", credentials: "same-origin", body: xml,
                          headers: { "Content-Type": "application/xml", "X-CSRFToken": config.csrf } });
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  function validate() {
    say(labels.checking);
    return post(config.validate_url).then(function (answer) {
      showProblems(answer.body.problems || []);
      if (answer.body.deployable) { say(labels.valid, "ok"); }
      else { say(labels.invalid.replace("{n}", answer.body.problems.length), "bad"); }
      page.setAttribute("data-checked", "true");
    });
  }

  function saveDraft() {
    return post(config.draft_url).then(function (answer) {
      if (!answer.ok) { say(labels.failed + " " + answer.body.error, "bad"); return; }
      showProblems(answer.body.problems || []);
      say(labels.saved + " " + answer.body.saved_at, "ok");
    });
  }

  function deploy() {
    return post(config.deploy_url).then(function (answer) {
      if (!answer.ok) {
        showProblems(answer.body.problems || []);
        say(labels.failed + " " + answer.body.error, "bad");
        return;
      }
      say(labels.deployed + " " + answer.body.version, "ok");
      window.location.assign(answer.body.url);
    });
  }

  // -- start -------------------------------------------------------------------------------
  // A document that binds a prefix to another namespace (Activiti files use «camunda» for theirs)
  // keeps its own binding: our extension is left out rather than clash with it.
  function extensionsFor(text, descriptors) {
    var extensions = {};
    descriptors.forEach(function (descriptor) {
      var bound = new RegExp("xmlns:" + descriptor.prefix + "=\"([^\"]*)\"").exec(text);
      if (!bound || bound[1] === descriptor.uri) { extensions[descriptor.prefix] = descriptor; }
    });
    return extensions;
  }

  var draft = document.getElementById("draft-xml");
  var source = draft ? Promise.resolve(draft.value) : fetch(config.xml_url, { credentials: "same-origin" })
    .then(function (r) { return r.text(); });
  Promise.all([source, json(config.camunda_moddle), json(config.chidao_moddle)]).then(function (loaded) {
    original = loaded[0];
    modeler = new window.BpmnJS({ container: "#canvas", keyboard: { bindTo: document },
                                  moddleExtensions: extensionsFor(loaded[0], [loaded[1], loaded[2]]) });
    return modeler.importXML(loaded[0]);
  }).then(function () {
    modeler.get("canvas").zoom("fit-viewport");
    modeler.on("selection.changed", function (event) { showProperties(event.newSelection[0]); });
    modeler.on("element.changed", function (event) {
      var selected = modeler.get("selection").get()[0];
      if (selected && selected.id === event.element.id && !panel.contains(document.activeElement)) {
        showProperties(selected);
      }
    });
    document.getElementById("validate").addEventListener("click", validate);
    var draftButton = document.getElementById("save-draft");
    if (draftButton) { draftButton.addEventListener("click", saveDraft); }
    var deployButton = document.getElementById("deploy");
    if (deployButton) { deployButton.addEventListener("click", deploy); }
    window.chidaoModeler = modeler;
    window.chidaoExport = exportXML;
    page.setAttribute("data-ready", "true");
  }).catch(function (error) {
    say(labels.failed + " " + error.message, "bad");
  });
})();
