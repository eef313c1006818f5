// Draw Mermaid diagrams once the library has loaded; without it the source stays readable.
window.addEventListener("load", function () {
  if (window.mermaid) {
    var dark = document.documentElement.dataset.theme === "dark";
    window.mermaid.initialize({ startOnLoad: false, theme: dark ? "dark" : "default" });
    window.mermaid.run({ querySelector: "pre.mermaid" });
  }
});
