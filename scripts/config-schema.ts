/**
 * `npm run schema`: writes the stack files' JSON Schema (schema/stack-config.schema.json) and the
 * hub's lobs file's (schema/lobs.schema.json) from the
 * config's zod schemas, formatted as the rest of the repository. Run it after changing a setting;
 * a test fails while the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { format, resolveConfig } from "prettier";
import {
  lobsFileJsonSchema,
  STACK_FILE_SCHEMA_PATH,
  stackFileJsonSchema,
} from "../stacks/config/stack-file";
import { LOBS_FILE_SCHEMA_PATH } from "../stacks/config/lobs-file";

async function write(file: string, schema: unknown): Promise<void> {
  const target = path.join(__dirname, "..", file);
  const options = (await resolveConfig(target)) ?? {};
  writeFileSync(target, await format(JSON.stringify(schema), { ...options, parser: "json" }));
  console.log(`wrote ${file}`);
}

async function main(): Promise<void> {
  await write(STACK_FILE_SCHEMA_PATH, stackFileJsonSchema());
  // The hub's lobsFile (lobs.yaml): the map lobs holds inline.
  await write(LOBS_FILE_SCHEMA_PATH, lobsFileJsonSchema());
}

void main();
