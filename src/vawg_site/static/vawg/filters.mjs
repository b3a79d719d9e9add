// Enhances the dashboard's filter form, which works fully without JavaScript: when the borough
// changes, the ward list is refreshed with that borough's wards (from a same-origin JSON URL) so
// a ward can be chosen in one step, and the change is announced to screen readers. Nothing is
// submitted until the person presses "Show figures".
const form = document.querySelector("[data-vawg-filter]");

if (form) {
  const borough = form.querySelector("select[name=borough]");
  const ward = form.querySelector("select[name=ward]");
  const status = form.querySelector("[data-vawg-status]");

  borough.addEventListener("change", async () => {
    const chosen = borough.value;
    let wards = [];
    if (chosen) {
      const url = `${form.dataset.wardsUrl}?${new URLSearchParams({ borough: chosen })}`;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok) wards = (await response.json()).wards;
      } catch {
        wards = [];
      }
    }
    ward.replaceChildren(new Option("All wards", ""));
    for (const { code, name } of wards) ward.appendChild(new Option(name, code));
    if (status) {
      status.textContent = chosen
        ? `Ward list updated: ${wards.length} wards in ${chosen}.`
        : "Ward list cleared: choose a borough to list its wards.";
    }
  });
}
