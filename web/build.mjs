// Compiles the widget's and the demo page's CSS from GOV.UK Frontend's Sass sources into dist/.
// Run by the set-up (`npm run --prefix web build`); the Rasa server serves dist/ as /widget/widget.css
// and /demo/demo.css. The JavaScript needs no build: it is plain ES modules in src/.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
mkdirSync(join(here, "dist"), { recursive: true });
for (const name of ["widget", "demo"]) {
  const result = sass.compile(join(here, "src", `${name}.scss`), {
    loadPaths: [join(here, "node_modules", "govuk-frontend", "dist")],
    style: "compressed",
    quietDeps: true,
  });
  writeFileSync(join(here, "dist", `${name}.css`), result.css + "\n");
  console.log(`web/dist/${name}.css: ${result.css.length} bytes`);
}
