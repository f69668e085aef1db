import { defaultClients } from "../shared/clients";
import { loadLifecycleConfig } from "./config";
import { createHandler } from "./handler";

/** The lifecycle function's Lambda handler: its clients and configuration, made once per container. */
export const handler = createHandler({
  ...defaultClients(),
  config: loadLifecycleConfig(process.env),
});
