import { defaultClients } from "../shared/clients";
import { loadSamlConfig } from "./config";
import { createHandler } from "./handler";

/** The SAML entry's Lambda handler: its clients and configuration, made once per container. */
export const handler = createHandler({ ...defaultClients(), config: loadSamlConfig(process.env) });
