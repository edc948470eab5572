import { backendAttributes, describeBackend, startBackend } from "./backend.js";
import type { PlaygroundPage } from "./page.js";
import { pages } from "./pages/index.js";

const nav = document.querySelector<HTMLElement>("#nav");
const root = document.querySelector<HTMLElement>("#page");
const backendLabel = document.querySelector<HTMLElement>("#backend");
let cleanup: (() => void) | undefined;

function show(page: PlaygroundPage): void {
  if (root === null) return;
  cleanup?.();
  root.replaceChildren();
  for (const link of nav?.querySelectorAll("a") ?? []) link.classList.toggle("active", link.dataset["page"] === page.id);
  cleanup = page.mount(root);
}

function route(): void {
  const id = location.hash.replace(/^#\/?/, "");
  const page = pages.find((p) => p.id === id) ?? pages[0];
  if (page !== undefined) show(page);
}

for (const page of pages) {
  const link = document.createElement("a");
  link.href = `#/${page.id}`;
  link.textContent = page.title;
  link.dataset["page"] = page.id;
  nav?.append(link);
}

startBackend().then(
  (info) => {
    if (backendLabel !== null) {
      backendLabel.textContent = describeBackend(info);
      Object.assign(backendLabel.dataset, backendAttributes(info));
    }
  },
  (error: unknown) => {
    if (backendLabel !== null) backendLabel.textContent = `backend failed: ${String(error)}`;
  },
);
window.addEventListener("hashchange", route);
route();
