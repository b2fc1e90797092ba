// Sidebar toggles on every screen size.
// pydata-sphinx-theme 0.17.1 (its issue #2451) and sphinx-book-theme bind their click handlers to
// the *first* `.primary-toggle` / `.secondary-toggle` on the page only, but sphinx-book-theme shows
// a second pair (in the article header), so the visible buttons did nothing on phones and
// tablets. Forward a click on any other toggle to the first one, where the themes listen.
(function () {
  function forward(selector) {
    var toggles = document.querySelectorAll(selector);
    for (var i = 1; i < toggles.length; i++) {
      toggles[i].addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        this.blur();
        toggles[0].click();
      });
    }
  }
  function init() {
    forward(".primary-toggle");
    forward(".secondary-toggle");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
