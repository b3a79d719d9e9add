// Starts govuk-frontend's components (Exit this page, skip links, ...) from our own copy.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

initAll();
