// Builds the site's static assets from npm packages: our Sass over govuk-frontend, and copies of
// govuk-frontend's JavaScript and assets, Leaflet and axe-core. Nothing is loaded from a CDN.
import { cpSync, mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as sass from "sass";

const out = "build/static";
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "vendor"), { recursive: true });

const govuk = "node_modules/govuk-frontend/dist/govuk";
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "vendor/govuk/govuk-frontend.min.js"));
// Fonts and the crown/crest images are GOV.UK's own: we copy only the neutral favicon-free assets.
mkdirSync(join(out, "vendor/govuk/assets"), { recursive: true });
cpSync("node_modules/leaflet/dist", join(out, "vendor/leaflet"), { recursive: true });
cpSync("node_modules/axe-core/axe.min.js", join(out, "vendor/axe-core/axe.min.js"));

const css = sass.compile("src/vawg_site/static_src/vawg.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
mkdirSync(join(out, "vawg"), { recursive: true });
writeFileSync(join(out, "vawg/vawg.css"), css.css);
const version = JSON.parse(readFileSync("node_modules/govuk-frontend/package.json")).version;
writeFileSync(join(out, "BUILD.json"), JSON.stringify({ "govuk-frontend": version }) + "\n");
console.log(`built ${out}: vawg.css ${css.css.length} bytes, govuk-frontend ${version}`);
