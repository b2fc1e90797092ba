// Before opening a notebook in the browser (JupyterLite), check that Pyodide can be reached.
// Without Pyodide the in-browser kernel never starts and the notebook's cells wait forever, which
// is what happens on networks that block Pyodide's CDN. If it cannot be fetched, say so beside
// the button and point to the other ways to open the notebook; "open it anyway" still works.
(function () {
  var PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel";
  var WAIT_MS = 10000;

  async function pyodideReachable(liteUrl) {
    var settings = await (await fetch(new URL("../jupyter-lite.json", liteUrl))).json();
    var url = settings["jupyter-config-data"].litePluginSettings[PLUGIN].pyodideUrl;
    var response = await fetch(new URL(url, liteUrl), {method: "HEAD", signal: AbortSignal.timeout(WAIT_MS)});
    if (!response.ok) throw new Error("HTTP " + response.status);
    return url;
  }

  function warn(link, error) {
    var box = link.closest(".tt-launch-box") || link.parentNode;
    var old = box.querySelector(".tt-lite-unreachable");
    if (old) old.remove();
    var note = document.createElement("div");
    note.className = "admonition warning tt-lite-unreachable";
    note.setAttribute("role", "alert");
    var title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "The in-browser notebook cannot start here";
    var text = document.createElement("p");
    text.textContent = "Your browser could not download Pyodide, the Python that the in-browser " +
      "notebook runs on (" + error.message + "); your network may block it. Open the notebook on " +
      "Binder or in Colab, or install the course on your computer (see How to take this course). " +
      "Instructors can serve Pyodide from the course site (see the instructors' guide). ";
    var anyway = document.createElement("a");
    anyway.href = link.href;
    anyway.textContent = "Open it in the browser anyway";
    text.appendChild(anyway);
    note.append(title, text);
    box.appendChild(note);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.tt-launch-lite");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    pyodideReachable(link.href).then(function () {
      window.location.href = link.href;
    }, function (error) {
      link.removeAttribute("aria-busy");
      warn(link, error);
    });
  });
})();
