// Copies the GOV.UK Frontend images, fonts-free, and JavaScript into static/dist.
import { cpSync, mkdirSync } from "node:fs";

const from = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("static/dist/govuk", { recursive: true });
cpSync(`${from}/assets/images`, "static/dist/govuk/images", { recursive: true });
cpSync(`${from}/govuk-frontend.min.js`, "static/dist/govuk/govuk-frontend.min.js");
console.log("Copied GOV.UK Frontend images and JavaScript to static/dist/govuk");
