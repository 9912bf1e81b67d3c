// The reading view: select a highlighted passage (click, or Tab / arrow keys and Enter)
// and the panel beside the text shows what it grounds: the entries the page lists
// under each paragraph (for readers without scripts), for the passage and the passages
// inside it. The address keeps the selection (#passage), so it can be shared.
(function () {
  "use strict";
  var article = document.querySelector("article.document");
  var body = document.getElementById("selection-body");
  if (!article || !body) {
    return;
  }
  var marks = Array.prototype.slice.call(article.querySelectorAll("mark.passage"));
  var selected = null;

  marks.forEach(function (mark) {
    mark.tabIndex = 0;
    mark.setAttribute("aria-controls", "selection");
  });

  function entryFor(mark) {
    return document.getElementById("g-" + mark.id);
  }

  function cloneEntry(entry) {
    var copy = entry.cloneNode(true);
    copy.removeAttribute("id");
    copy.querySelectorAll("[id]").forEach(function (node) { node.removeAttribute("id"); });
    return copy;
  }

  function select(mark, moveAddress) {
    if (selected) {
      selected.classList.remove("selected");
      selected.removeAttribute("aria-current");
    }
    selected = mark;
    mark.classList.add("selected");
    mark.setAttribute("aria-current", "true");
    while (body.firstChild) {
      body.removeChild(body.firstChild);
    }
    var title = document.createElement("h3");
    title.textContent = mark.dataset.place || mark.id;
    body.appendChild(title);
    var quote = document.createElement("p");
    quote.className = "selection-quote";
    quote.textContent = mark.textContent;
    body.appendChild(quote);
    var permalink = document.createElement("p");
    permalink.className = "small";
    var link = document.createElement("a");
    link.href = "#" + mark.id;
    link.textContent = "Link to this passage";
    permalink.appendChild(link);
    permalink.appendChild(document.createTextNode(" · "));
    var page = document.createElement("a");
    page.href = mark.dataset.href;
    page.textContent = "its page and citation";
    permalink.appendChild(page);
    body.appendChild(permalink);
    var found = 0;
    [mark].concat(Array.prototype.slice.call(mark.querySelectorAll("mark.passage")))
      .forEach(function (inner) {
        var entry = entryFor(inner);
        if (entry) {
          var copy = cloneEntry(entry);
          if (inner === mark) {  // its place and quote are already the panel's heading
            copy.removeChild(copy.querySelector(".where"));
          }
          body.appendChild(copy);
          found += 1;
        }
      });
    if (!found) {
      var none = document.createElement("p");
      none.className = "small";
      none.textContent = "This passage grounds nothing on its own: select a sentence in it.";
      body.appendChild(none);
    }
    if (moveAddress && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + mark.id);
    }
  }

  article.addEventListener("click", function (event) {
    var mark = event.target.closest("mark.passage");
    if (mark && !event.target.closest("a")) {
      select(mark, true);
    }
  });

  article.addEventListener("keydown", function (event) {
    var mark = event.target.closest ? event.target.closest("mark.passage") : null;
    if (!mark || event.target !== mark) {
      return;
    }
    var index = marks.indexOf(mark);
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      select(mark, true);
    } else if ((event.key === "ArrowDown" || event.key === "ArrowRight") && index < marks.length - 1) {
      event.preventDefault();
      marks[index + 1].focus();
    } else if ((event.key === "ArrowUp" || event.key === "ArrowLeft") && index > 0) {
      event.preventDefault();
      marks[index - 1].focus();
    }
  });

  function selectFromAddress() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var mark = id ? document.getElementById(id) : null;
    if (mark && mark.matches("mark.passage")) {
      select(mark, false);
      mark.scrollIntoView({ block: "center" });
      mark.focus({ preventScroll: true });
    }
  }

  window.addEventListener("hashchange", selectFromAddress);
  selectFromAddress();
})();
