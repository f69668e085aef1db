/**
 * `npm run schema`: writes the stack files' JSON Schema (schema/stack-config.schema.json) from the
 * config's zod schemas, formatted as the rest of the repository. Run it after changing a setting;
 * a test fails while the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { format, resolveConfig } from "prettier";
import { STACK_FILE_SCHEMA_PATH, stackFileJsonSchema } from "../stacks/config/stack-file";

async function main(): Promise<void> {
  const target = path.join(__dirname, "..", STACK_FILE_SCHEMA_PATH);
  const options = (await resolveConfig(target)) ?? {};
  const text = await format(JSON.stringify(stackFileJsonSchema()), { ...options, parser: "json" });
  writeFileSync(target, text);
  console.log(`wrote ${STACK_FILE_SCHEMA_PATH}`);
}

void main();
