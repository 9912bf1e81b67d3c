// The query UI's start-up (templates/query.html): read the JSON block, point every tab
// at this server, keep the query editor's autocompletion local (the class and property
// completers ask a web service), and add each competency question as a tab unless the
// browser kept it. Links to sgkg IRIs in the results go to this server.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sgkg-ui-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  Yasgui.defaults.yasqe.autocompleters = ["variables", "prefixes"];
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true,
    autoAddOnInit: false,
    persistenceId: config.persistenceId
  });
  config.examples.forEach(function (example) {
    if (!yasgui.tabNameTaken(example.name)) {
      yasgui.addTab(!yasgui.getTab(), {
        name: example.name,
        yasqe: { value: example.query },
        requestConfig: { endpoint: endpoint }
      });
    }
  });
  document.querySelectorAll(".yasgui .tabsList .tab a span").forEach(function (name) {
    name.title = name.textContent;
  });
  var base = config.iriBase;
  function browseLocally(root) {
    root.querySelectorAll('a[href^="' + base + '"]').forEach(function (link) {
      var path = link.getAttribute("href").slice(base.length - 1);
      link.href = new URL(path, window.location.href).href;
      link.title = link.title || link.textContent;
    });
  }
  new MutationObserver(function () { browseLocally(document.getElementById("yasgui")); })
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });
  window.sgkgYasgui = yasgui;
})();
