// Loaded on every page before require.js and MathJax (html_js_files, priority 450, in _config.yml).
// 1. require.js reads a global `require` object as its configuration. ipywidgets' embed-amd.js
//    derives the URL of its icon fonts from the AMD name of its bundle; map that name to the
//    vendored copy, or the fonts are requested from <page folder>/@jupyter-widgets/... (404).
// 2. ipywidgets typesets widget labels with MathJax 2's API (MathJax.Hub.Queue); the book loads
//    MathJax 3, so without a bridge every widget label throws a TypeError. Sphinx assigns
//    window.MathJax (its configuration) after this file and MathJax replaces it when it loads,
//    so the bridge is attached to whatever object window.MathJax is set to.
(function () {
  var root = document.documentElement.getAttribute("data-content_root") || "";
  if (typeof window.require === "undefined") {
    window.require = {paths: {"@jupyter-widgets/html-manager/dist": root + "_static/html-manager"}};
  }
  var hub = {Queue: function (job) {
    var element = job && job[2];
    if (element && current && current.typesetPromise) current.typesetPromise([element]).catch(function () {});
  }};
  var current;
  function bridge(value) {
    if (value && typeof value === "object" && !("Hub" in value)) value.Hub = hub;
    return value;
  }
  current = bridge(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: function () { return current; },
    set: function (value) { current = bridge(value); },
  });
})();
