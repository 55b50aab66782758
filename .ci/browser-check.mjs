// Loads each report.html given (default: output/*/report.html) in the headless Chromium of the
// OS packages over the DevTools protocol (puppeteer-core, pinned in .ci/browser/), and fails on:
// a script error or console error, any request other than the report's own file:// URL and
// data: URIs (each is refused, so nothing is fetched), an <h1> that is missing or empty, a
// headline list that is empty or does not match the charts' titles, and a chart of zero size.
// Usage: node .ci/browser-check.mjs [REPORT.html...]   (CHROMIUM=path to choose the browser)
import { createRequire } from "node:module";
import { existsSync, readdirSync } from "node:fs";
import { resolve, join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(new URL("./browser/package.json", import.meta.url));
const puppeteer = require("puppeteer-core");

const candidates = [process.env.CHROMIUM, "/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];
const executablePath = candidates.find((p) => p && existsSync(p));
if (!executablePath) {
  console.error("no headless Chromium found (apt-get install -y chromium-headless-shell)");
  process.exit(1);
}

let files = process.argv.slice(2);
if (files.length === 0) {
  files = readdirSync("output")
    .map((d) => join("output", d, "report.html"))
    .filter((f) => existsSync(f));
}
if (files.length === 0) {
  console.error("no report.html to check");
  process.exit(1);
}

const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
console.log(`browser: ${executablePath} (${await browser.version()})`);
let failed = 0;
for (const file of files) {
  const url = pathToFileURL(resolve(file)).href;
  const problems = [];
  const page = await browser.newPage();
  await page.setRequestInterception(true);
  let dataRequests = 0;
  page.on("request", (req) => {
    const u = req.url();
    if (u === url) {
      req.continue();
    } else if (u.startsWith("data:")) {
      dataRequests += 1;
      req.continue();
    } else {
      problems.push(`request refused: ${u.slice(0, 120)}`);
      req.abort();
    }
  });
  page.on("pageerror", (e) => problems.push(`script error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("requestfailed", (req) => {
    const u = req.url();
    if (u === url || u.startsWith("data:")) problems.push(`failed to load: ${u.slice(0, 80)}`);
  });
  await page.setViewport({ width: 1280, height: 900 });
  await page.goto(url, { waitUntil: "load" });
  const facts = await page.evaluate(async () => {
    const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : "");
    const headlines = [...document.querySelectorAll("#headlines li")].map(text);
    const charts = [];
    for (const fig of document.querySelectorAll("figure.chart")) {
      const img = fig.querySelector("img, svg");
      const box = img ? img.getBoundingClientRect() : { width: 0, height: 0 };
      let loaded = true;
      if (img && img.tagName === "IMG") {
        try {
          await img.decode();
        } catch {
          loaded = false;
        }
        loaded = loaded && img.naturalWidth > 0;
      }
      // The chart's own title, read from the SVG itself (its text elements, in order).
      let svgText = "";
      if (img && img.tagName === "IMG" && img.src.startsWith("data:image/svg+xml;base64,")) {
        const bytes = Uint8Array.from(atob(img.src.split(",")[1]), (c) => c.charCodeAt(0));
        const doc = new DOMParser().parseFromString(new TextDecoder().decode(bytes), "image/svg+xml");
        svgText = [...doc.querySelectorAll("text")].map(text).join(" ");
      }
      charts.push({
        width: box.width,
        height: box.height,
        loaded,
        alt: img ? img.getAttribute("alt") || "" : "",
        svgText,
      });
    }
    return {
      lang: document.documentElement.lang,
      h1: text(document.querySelector("h1")),
      headlines,
      charts,
      tables: document.querySelectorAll("table caption").length,
    };
  });
  if (!facts.lang) problems.push("no lang on <html>");
  if (!facts.h1) problems.push("no <h1>, or an empty one");
  if (facts.charts.length === 0) problems.push("no chart");
  if (facts.headlines.length !== facts.charts.length) {
    problems.push(`${facts.headlines.length} headlines for ${facts.charts.length} charts`);
  }
  facts.charts.forEach((c, i) => {
    if (!(c.width > 0 && c.height > 0)) problems.push(`chart ${i + 1} has zero size`);
    if (!c.loaded) problems.push(`chart ${i + 1} does not load`);
    if (!c.alt) problems.push(`chart ${i + 1} has no text alternative`);
    const h = facts.headlines[i] || "";
    if (!h) problems.push(`headline ${i + 1} is missing or empty`);
    else if (!c.svgText.includes(h)) {
      problems.push(`headline ${i + 1} is not the title of chart ${i + 1}: ${h}`);
    }
  });
  await page.close();
  if (problems.length) {
    failed += 1;
    console.log(`FAIL ${file}`);
    for (const p of problems) console.log(`  ${p}`);
  } else {
    console.log(
      `ok   ${file}: h1 "${facts.h1}", ${facts.headlines.length} headlines matching the charts' titles, ` +
        `${facts.charts.length} charts drawn (${facts.charts.map((c) => `${Math.round(c.width)}x${Math.round(c.height)}`).join(", ")}), ` +
        `${facts.tables} tables, ${dataRequests} data: URIs and no other request, no script or console error`,
    );
  }
}
await browser.close();
if (failed) {
  console.error(`${failed} of ${files.length} reports failed the browser check`);
  process.exit(1);
}
