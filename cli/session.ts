import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import type { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { refresh, revoke, type Tokens } from "./cognito";
import { writePrivate, type CliConfig } from "./config";
import { CliError, EXIT, isNetworkError } from "./errors";

const TOKENS_FILE = "tokens.json";
/** An access token this close to expiry is refreshed first, so a call never carries a dying one. */
export const REFRESH_MARGIN_MS = 60_000;

/** What the cache holds: the tokens, whose they are and which pool and client issued them. */
interface Cached extends Tokens {
  readonly username: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

/** The signed-in user's tokens, cached in the config folder (0600) and refreshed silently. */
export class TokenCache {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly config: CliConfig,
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly now: () => number = Date.now,
  ) {
    this.file = path.join(dir, TOKENS_FILE);
  }

  /** The cached sign-in, if it belongs to the configured pool and client. */
  private read(): Cached | undefined {
    let cached: Cached;
    try {
      cached = JSON.parse(readFileSync(this.file, "utf8")) as Cached;
    } catch {
      return undefined;
    }
    if (cached.userPoolId !== this.config.userPoolId || cached.clientId !== this.config.clientId)
      return undefined;
    return cached;
  }

  save(username: string, tokens: Tokens): void {
    const cached: Cached = {
      username,
      userPoolId: this.config.userPoolId,
      clientId: this.config.clientId,
      ...tokens,
    };
    writePrivate(this.dir, TOKENS_FILE, JSON.stringify(cached));
  }

  /** Who is signed in, if anyone. */
  username(): string | undefined {
    return this.read()?.username;
  }

  /**
   * A valid access token: the cached one, or a fresh one from the refresh token (`force` when the
   * API refused the cached one). Sign-in needed: exit code 3.
   */
  async accessToken(force = false): Promise<string> {
    const cached = this.read();
    if (!cached) throw new CliError(EXIT.signIn, "not signed in: run studio-access login");
    if (!force && cached.expiresAt - REFRESH_MARGIN_MS > this.now()) return cached.accessToken;
    const tokens = await refresh(this.cognito, this.config.clientId, cached.refreshToken, this.now);
    this.save(cached.username, tokens);
    return tokens.accessToken;
  }

  /**
   * Revokes the refresh token and deletes the cache. The cache goes even if revocation fails; the
   * failure is reported (the token then lapses at its own expiry).
   */
  async logout(): Promise<{ username?: string; revoked: boolean }> {
    const cached = this.read();
    rmSync(this.file, { force: true });
    if (!cached) return { revoked: false };
    try {
      await revoke(this.cognito, this.config.clientId, cached.refreshToken);
      return { username: cached.username, revoked: true };
    } catch (error) {
      const why = isNetworkError(error)
        ? "Cognito could not be reached"
        : `Cognito refused (${error instanceof Error ? error.name : "error"})`;
      throw new CliError(
        EXIT.upstream,
        `signed out on this machine, but the session could not be revoked: ${why}; it lapses at its own expiry`,
      );
    }
  }
}
