// The scenario page: ticking an event, picking a version or switching interpretations
// asks POST /scenarios and redraws the results in place (the same sections the server
// draws for readers without scripts). The address follows the scenario's IRI.
// Tolerates answers without "mode", "interpretations_used" or per-result
// "interpretations" (servers that evaluate from the words alone).
(function () {
  "use strict";
  var form = document.querySelector("form.scenario");
  var results = document.getElementById("results");
  if (!form || !results) {
    return;
  }
  var labels = JSON.parse(document.getElementById("interpretation-labels").textContent || "{}");
  var base = form.dataset.iriBase;
  var formats = JSON.parse(form.dataset.formats || "[]");
  var pending = null;

  function local(iri) {
    return iri && iri.indexOf(base) === 0 ? "/" + iri.slice(base.length) : iri;
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function link(iri, label) {
    return el("a", { href: local(iri) }, [label || iri]);
  }

  function truncate(text, size) {
    text = (text || "").replace(/\*/g, "");
    return text.length > size ? text.slice(0, size - 1).replace(/\s+\S*$/, "") + "…" : text;
  }

  function slug(iri) {
    return iri.split("/").pop();
  }

  function interpretationsNote(title, iris) {
    var list = el("ul", {}, iris.map(function (iri) {
      return el("li", {}, [link(iri, labels[iri])]);
    }));
    return el("div", { "class": "beyond", role: "note" }, [el("p", { "class": "flag" }, [title]), list]);
  }

  function outcomeItem(outcome, state, versionHref) {
    var item = el("li", { "class": state, "data-iri": outcome.iri }, [
      el("span", { "class": "kind" }, [outcome.kind]), " ", link(outcome.iri, outcome.label),
      el("p", { "class": "why" }, [outcome.explanation])
    ]);
    if (outcome.decided_by && outcome.decided_by.length) {
      item.appendChild(el("ul", {}, outcome.decided_by.map(function (d) {
        var parts = [el("span", { "class": d.met ? "met" : "unmet" }, [d.met ? "met" : "not met"]),
          ": ", link(d.condition, d.label)];
        if (d.via !== outcome.iri) {
          parts.push(" ", el("span", { "class": "small" }, ["(a condition of ", link(d.via), ")"]));
        }
        return el("li", {}, parts);
      })));
    }
    if (outcome.interpretations && outcome.interpretations.length) {
      item.appendChild(interpretationsNote("Relies on readings beyond the words", outcome.interpretations));
    }
    if (outcome.evidence && outcome.evidence.length) {
      item.appendChild(el("ul", { "class": "evidence", "aria-label": "Passages" },
        outcome.evidence.map(function (p) {
          return el("li", {}, [el("a", { href: versionHref + "#" + slug(p.passage) },
            ["“" + truncate(p.quote, 160) + "”"])]);
        })));
    }
    return item;
  }

  function draw(result, askedInterpretations) {
    var versionHref = local(result.version.iri);
    var events = result.events.length
      ? result.events.map(function (e) { return e.label || e.slug; }).join(", ")
      : "no event";
    var mode = result.mode || "strict";
    var nodes = [
      el("h2", { id: "results-title" }, ["What activates"]),
      el("p", { "class": "outcome-summary" }, [
        "In ", el("strong", {}, [result.version.label || result.version.slug]), ", with ", events, ": ",
        el("strong", { id: "active-count" }, [String(result.active.length)]), " active, ",
        String(result.inactive.length) + " not active, " + result.not_in_version.length + " not in this version."
      ])
    ];
    var modeLine = el("p", {}, [el("span", { "class": "mode " + mode, id: "answer-mode" },
      [mode === "interpreted" ? "interpreted: the words and the interpretations" : "strict: from the words alone"])]);
    if (askedInterpretations && !result.mode) {
      modeLine.appendChild(el("span", { "class": "small" }, [" This server evaluates scenarios from the words alone."]));
    }
    nodes.push(modeLine);
    if (result.interpretations_used && result.interpretations_used.length) {
      nodes.push(interpretationsNote("Interpretations relied on", result.interpretations_used));
    }
    nodes.push(el("p", { "class": "small" }, ["This scenario's IRI: ",
      el("a", { id: "scenario-iri", href: local(result.scenario) }, [result.scenario])]));
    var alternates = el("p", { "class": "small" }, ["Also as "]);
    formats.forEach(function (format, index) {
      if (index) {
        alternates.appendChild(document.createTextNode(" · "));
      }
      alternates.appendChild(el("a", { href: local(result.scenario) + format.extension, type: format.media_type },
        [format.label]));
    });
    nodes.push(alternates);
    nodes.push(el("h3", {}, ["Active (" + result.active.length + ")"]));
    nodes.push(el("ul", { "class": "outcomes", id: "active-list" },
      result.active.map(function (o) { return outcomeItem(o, "active", versionHref); })));
    nodes.push(el("h3", {}, ["Not active (" + result.inactive.length + ")"]));
    nodes.push(el("ul", { "class": "outcomes", id: "inactive-list" },
      result.inactive.map(function (o) { return outcomeItem(o, "inactive", versionHref); })));
    nodes.push(el("h3", {}, ["Not in this version (" + result.not_in_version.length + ")"]));
    nodes.push(el("ul", { "class": "terms", id: "absent-list" }, result.not_in_version.map(function (a) {
      return el("li", {}, [el("span", { "class": "kind" }, [a.kind]), " ", link(a.iri, a.label), " ",
        el("span", { "class": "small" }, ["(in " + (a.versions.join(", ") || "no version") + ")"])]);
    })));
    nodes.push(el("h3", {}, ["Conditions"]));
    nodes.push(el("table", { id: "conditions" }, [
      el("thead", {}, [el("tr", {}, ["condition", "met?", "why"].map(function (h) {
        return el("th", { scope: "col" }, [h]);
      }))]),
      el("tbody", {}, result.conditions.map(function (c) {
        return el("tr", {}, [el("td", {}, [link(c.iri, c.label)]),
          el("td", { "class": c.met ? "met" : "unmet" }, [c.met ? "met" : "not met"]),
          el("td", {}, [c.explanation])]);
      }))
    ]));
    while (results.firstChild) {
      results.removeChild(results.firstChild);
    }
    nodes.forEach(function (node) { results.appendChild(node); });
    results.setAttribute("aria-busy", "false");
  }

  function request() {
    var events = Array.prototype.map.call(form.querySelectorAll('input[name="event"]:checked'),
      function (box) { return box.value; });
    var version = form.querySelector('input[name="version"]:checked');
    var withInterpretations = form.querySelector('input[name="interpretations"]').checked;
    var body = { events: events, version: version ? version.value : null };
    if (withInterpretations) {
      body.interpretations = "all";
    }
    return { body: body, withInterpretations: withInterpretations };
  }

  function evaluate() {
    var asked = request();
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(asked.body),
      signal: pending.signal
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(text); });
      }
      return response.json();
    }).then(function (result) {
      draw(result, asked.withInterpretations);
      if (window.history && window.history.replaceState) {
        var address = local(result.scenario) + (asked.withInterpretations ? "?interpretations=all" : "");
        window.history.replaceState(null, "", address);
      }
    }).catch(function (error) {
      if (error.name === "AbortError") {
        return;
      }
      while (results.firstChild) {
        results.removeChild(results.firstChild);
      }
      results.appendChild(el("p", { "class": "notice" }, ["The scenario could not be evaluated: " + error.message]));
      results.setAttribute("aria-busy", "false");
    });
  }

  form.addEventListener("change", evaluate);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    evaluate();
  });
})();
