// Builds static/build (our compiled CSS and GOV.UK Frontend's JS) and static/govuk/assets.
import { cpSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";

const dist = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("static/build", { recursive: true });
cpSync(`${dist}/assets/images`, "static/govuk/assets/images", { recursive: true });
cpSync(`${dist}/govuk-frontend.min.js`, "static/build/govuk-frontend.min.js");
execFileSync(
  "node_modules/.bin/sass",
  ["--load-path=node_modules", "--style=compressed", "--no-source-map", "--quiet-deps",
   "scss/app.scss", "static/build/app.css"],
  { stdio: "inherit" },
);
