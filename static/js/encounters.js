// Session note form: show only the sections of the chosen format (DAP or SOAP).
// Without JavaScript every section shows and the server keeps those of the chosen format.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-note-form]");
  if (!form) return;
  const update = () => {
    const chosen = form.querySelector("input[name=format]:checked");
    form.querySelectorAll("[data-note-sections]").forEach((block) => {
      block.hidden = chosen !== null && block.dataset.noteSections !== chosen.value;
    });
  };
  form.querySelectorAll("input[name=format]").forEach((radio) => radio.addEventListener("change", update));
  update();
});
