// Starts cognito-local (what services.ts runs) with four corrections that make it answer as
// Cognito does:
// 1. A refresh token issued by RespondToAuthChallenge (the sign-in that answered an MFA or
//    new-password challenge) is stored, so REFRESH_TOKEN_AUTH and RevokeToken accept it afterwards.
//    Cognito issues such tokens like any other (API_RespondToAuthChallenge: "AuthenticationResult …
//    RefreshToken"; API_RevokeToken); cognito-local 5.3 stores only those InitiateAuth issues.
// 2. A wrong password at InitiateAuth is NotAuthorizedException, "Incorrect username or password."
//    (API_InitiateAuth's errors); cognito-local 5.3 answers InvalidPasswordException, which Cognito
//    keeps for a new password that breaks the pool's policy.
// 3. A disabled user (AdminDisableUser) cannot sign in: InitiateAuth answers NotAuthorizedException,
//    "User is disabled." (API_AdminDisableUser: "A deactivated user can't sign in"); cognito-local
//    5.3 signs them in anyway.
// 4. USER_SRP_AUTH (the CLI's default and the portal's only flow) is answered as Cognito answers
//    it: a PASSWORD_VERIFIER challenge (cognito-srp.js), whose proof, once checked, continues as
//    USER_PASSWORD_AUTH would (new password, MFA). cognito-local 5.3 has no SRP.
// The sandbox (services.ts) stops this process and removes its state when it ends, even on Ctrl-C;
// killed outright (SIGKILL runs no exit hook), it cannot: then its IPC channel closes, and this
// process removes the sandbox's state folder and ends, so no emulator or state outlives it.
process.on("disconnect", () => {
  const state = process.env.SANDBOX_STATE_DIR;
  if (state) require("node:fs").rmSync(state, { recursive: true, force: true });
  process.exit(0);
});

const { Targets } = require("cognito-local/lib/targets/targets");
const { NotAuthorizedError, InvalidParameterError } = require("cognito-local/lib/errors");
const srp = require("./cognito-srp");

const initiate = Targets.InitiateAuth;
Targets.InitiateAuth = (services) => {
  const run = initiate(services);
  return async (ctx, req) => {
    const username = req.AuthParameters && req.AuthParameters.USERNAME;
    if (username) {
      const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, username);
      if (user && user.Enabled === false) throw new NotAuthorizedError("User is disabled.");
      if (req.AuthFlow === "USER_SRP_AUTH") {
        const srpA = req.AuthParameters.SRP_A;
        if (!srpA) throw new InvalidParameterError("Missing required parameter SRP_A");
        const parameters =
          user && srp.challenge(userPool.options.Id, user.Username, user.Password, srpA);
        if (!parameters) throw new NotAuthorizedError("Incorrect username or password.");
        return {
          ChallengeName: "PASSWORD_VERIFIER",
          ChallengeParameters: parameters,
          Session: require("node:crypto").randomBytes(48).toString("base64"),
        };
      }
    }
    try {
      return await run(ctx, req);
    } catch (error) {
      if (error && error.code === "InvalidPasswordException")
        throw new NotAuthorizedError("Incorrect username or password.");
      throw error;
    }
  };
};

const respond = Targets.RespondToAuthChallenge;
Targets.RespondToAuthChallenge = (services) => {
  const run = respond(services);
  return async (ctx, req) => {
    const result =
      req.ChallengeName === "PASSWORD_VERIFIER"
        ? await passwordVerified(services, ctx, req)
        : await run(ctx, req);
    const refreshToken = result.AuthenticationResult && result.AuthenticationResult.RefreshToken;
    const username = req.ChallengeResponses && req.ChallengeResponses.USERNAME;
    if (refreshToken && username) {
      const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
      const user = await userPool.getUserByUsername(ctx, username);
      if (user) await userPool.storeRefreshToken(ctx, refreshToken, user);
    }
    return result;
  };
};

/** A checked SRP proof continues as a sign-in with the user's password (which cognito-local keeps). */
async function passwordVerified(services, ctx, req) {
  const username = srp.verify(req.ChallengeResponses || {});
  if (!username) throw new NotAuthorizedError("Incorrect username or password.");
  const userPool = await services.cognito.getUserPoolForClientId(ctx, req.ClientId);
  const user = await userPool.getUserByUsername(ctx, username);
  if (!user) throw new NotAuthorizedError("Incorrect username or password.");
  return Targets.InitiateAuth(services)(ctx, {
    ClientId: req.ClientId,
    AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: username, PASSWORD: user.Password },
  });
}

// Its server also keeps idle keep-alive connections open (keepAliveTimeout 0), as the sandbox's own
// servers do (aws/http.ts, keepIdleConnections): the deployer's Cognito client reuses its idle
// sockets without a time limit, and Node's default keepAliveTimeout (5 s) closing one just as a
// request goes out on it is "socket hang up". Node's docs, HTTP, server.keepAliveTimeout: "A value
// of 0 will disable the keep-alive timeout behavior on incoming connections"
// (https://nodejs.org/docs/latest-v20.x/api/http.html#serverkeepalivetimeout).
const http = require("node:http");
const createServer = http.createServer;
http.createServer = (...args) => {
  const server = createServer(...args);
  server.keepAliveTimeout = 0;
  return server;
};

require("cognito-local/lib/bin/start.js");
