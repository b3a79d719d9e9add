// Builds the site's static assets from npm packages: our Sass over govuk-frontend, and copies of
// govuk-frontend's JavaScript and assets, Leaflet and axe-core. Nothing is loaded from a CDN.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
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

// A gzip copy beside each text asset: WhiteNoise sends FILE.gz to browsers that accept gzip, also
// when it serves straight from this folder (WHITENOISE_USE_FINDERS), so a phone downloads the
// stylesheet and Leaflet compressed (vawg.css 143 KB -> about 20 KB).
const compressible = new Set([".css", ".js", ".mjs", ".json", ".svg", ".map"]);
let gzipped = 0;
for (const entry of readdirSync(out, { recursive: true, withFileTypes: true })) {
  const path = join(entry.parentPath ?? entry.path, entry.name);
  if (entry.isFile() && compressible.has(extname(entry.name))) {
    writeFileSync(`${path}.gz`, gzipSync(readFileSync(path), { level: 9 }));
    gzipped += 1;
  }
}
console.log(
  `built ${out}: vawg.css ${css.css.length} bytes, govuk-frontend ${version}, ${gzipped} gzip copies`,
);
