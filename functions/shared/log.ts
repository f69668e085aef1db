/** Fields a log line may carry. Tokens and presigned URLs are never among them. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one JSON line to stdout, which Lambda ships to CloudWatch Logs as-is. */
export function log(level: "info" | "warn" | "error", message: string, fields: LogFields): void {
  process.stdout.write(
    JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields }) + "\n",
  );
}

/** Reads a required environment variable, failing the cold start with the variable's name. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === "") {
    throw new Error(`environment variable ${name} is required but is not set`);
  }
  return value;
}
