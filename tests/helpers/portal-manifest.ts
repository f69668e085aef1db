import { modules } from "./portal-assets";

export default modules["portal-assets:manifest"];
