// Moves the admin import job's progress bar (templates/admin/measures/import_job.html)
// by polling the job's JSON status; when the job has finished, reloads the page,
// which then shows the preview, the errors or the result. Without this script the
// page has an «Oppdater» link. A separate file: the CSP forbids inline script.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status-url]");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-import-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-import-progress-text]");

  function show(state) {
    bar.max = Math.max(state.total, 1);
    if (state.status !== "queued") {
      bar.value = state.done;
    }
    bar.textContent = state.text;
    // Only a change is written, so the polite live region speaks only news.
    if (text.textContent !== state.text) {
      text.textContent = state.text;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
