// Placeholder: the portal's browser entry (ES2022, no framework). It reads the settings the page
// carries and says which region it signs in to.
interface PortalConfig {
  readonly apiBase: string;
  readonly region: string;
}

const meta = document.querySelector<HTMLMetaElement>('meta[name="studio-access-config"]');
const config = JSON.parse(meta?.content ?? "{}") as Partial<PortalConfig>;
const app = document.getElementById("app");
if (app) {
  const heading = document.createElement("h1");
  heading.textContent = "Studio access";
  const region = document.createElement("p");
  region.textContent = `Region: ${config.region ?? "unknown"}`;
  app.replaceChildren(heading, region);
}
