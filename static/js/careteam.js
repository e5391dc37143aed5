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

// The idle-timeout warning: shown a couple of minutes before the server signs this session out
// (careteam.signin.middleware). "Stay signed in" counts as activity; activity in another tab counts
// too, because the server's clock is asked before the warning shows.
document.addEventListener("DOMContentLoaded", () => {
  const warning = document.getElementById("session-warning");
  if (!warning) return;
  const idle = Number(warning.dataset.idleSeconds);
  const lead = Number(warning.dataset.warningSeconds);
  const countdown = warning.querySelector("[data-countdown]");
  let deadline = Date.now() + idle * 1000;
  let timer = null;
  let ticker = null;

  const signedOut = () => window.location.assign(window.location.href);
  const schedule = (secondsLeft) => {
    deadline = Date.now() + secondsLeft * 1000;
    warning.hidden = true;
    clearInterval(ticker);
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, secondsLeft - lead) * 1000);
  };
  const ask = async (init) => {
    const response = await fetch(warning.action, { credentials: "same-origin", headers: { Accept: "application/json" }, ...init });
    return response.json();
  };
  const show = () => {
    warning.hidden = false;
    const tick = () => {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      countdown.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      if (left === 0) { clearInterval(ticker); check(); }
    };
    tick();
    clearInterval(ticker);
    ticker = setInterval(tick, 1000);
  };
  async function check() {
    let left = Math.round((deadline - Date.now()) / 1000);
    try {
      const state = await ask({ method: "GET" });
      if (!state.signed_in) return signedOut();
      left = state.seconds_left;
    } catch (error) { /* offline: trust the local clock */ }
    if (left <= 0) return signedOut();
    if (left > lead) return schedule(left);
    deadline = Date.now() + left * 1000;
    show();
  }
  warning.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const state = await ask({ method: "POST", body: new FormData(warning) });
      if (!state.signed_in) return signedOut();
      schedule(state.seconds_left);
    } catch (error) { signedOut(); }
  });
  schedule(idle);
});
