// careteam: progressive enhancements only; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary after a rejected form so screen readers announce it.
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  // Send the CSRF token with every htmx request.
  document.body.addEventListener("htmx:configRequest", (event) => {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) event.detail.headers["X-CSRFToken"] = token.value;
  });
});
