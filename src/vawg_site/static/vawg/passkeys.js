// Glue for django-otp-webauthn's passkey scripts (served from this site, beside this file), loaded
// before them on the pages with a passkey button. Their messages go through gettext, which
// Django's JavaScript catalogue would define; the site is in English only and serves no catalogue,
// so each message stands as written. After a passkey is registered the package's script only
// fires an event: this goes to the page the server named (the recovery codes at the first
// sign-in, the list of passkeys on the account page). Without JavaScript none of this runs and
// the code forms work alone.
window.gettext = window.gettext || function (text) { return text; };
document.addEventListener("otp_webauthn.register_complete", function (event) {
  var answer = event.detail && event.detail.response;
  if (answer && answer.redirect_url) {
    window.location.assign(answer.redirect_url);
  }
});
