// The functions read their configuration at import, as they do on a Lambda cold start.
process.env.AWS_REGION = "us-east-1";
process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
process.env.AWS_SECRET_ACCESS_KEY = "test-secret-not-real";
process.env.USER_POOL_ID = "us-east-1_TestPool1";
process.env.USER_POOL_CLIENT_ID = "testclient0123456789abcdef";
process.env.USERS_TABLE = "studio-access-users";
process.env.LOBS_TABLE = "studio-access-lobs";
process.env.URL_EXPIRES_SECONDS = "20";
process.env.SESSION_EXPIRES_SECONDS = "3600";
// The presigner's deploy-time LOB registry (the program writes it into the function's archive).
process.env.LOB_REGISTRY = `${__dirname}/helpers/lob-registry.json`;
// The portal's: the pool's password rules, as the program reads them from the pool.
process.env.PASSWORD_POLICY = JSON.stringify({
  minimumLength: 14,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
});
