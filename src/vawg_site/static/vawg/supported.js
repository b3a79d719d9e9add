// Runs first in <body>: tells govuk-frontend's CSS that JavaScript and ES modules are available,
// before anything is drawn (a same-origin file, so the Content-Security-Policy needs no nonce).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
