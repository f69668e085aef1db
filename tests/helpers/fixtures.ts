import { teamProfileName } from "../../functions/shared/teams";

/** LOB A's record as the hub's lobs table holds it (example account and ids). */
export const LOB_A_RECORD = {
  lob: "lob-a",
  accountId: "222222222222",
  region: "us-east-1",
  domainId: "d-aaaaaaaaaaaa",
  accessRoleArn: "arn:aws:iam::222222222222:role/StudioAccessRole",
  enabled: true,
  teams: ["default"],
};

/** The endpoint policy statement that admits the example organization's principals only. */
export const ORG_ONLY_STATEMENT = {
  Sid: "OrganizationOnly",
  Effect: "Allow",
  Principal: "*",
  Action: "*",
  Resource: "*",
  Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" } },
};

/** A user's profile name in a team, as the program derives it (pinned by profile-name.test.ts). */
export const P = (username: string, team = "default"): string => {
  const name = teamProfileName(username, team);
  if (name === undefined) throw new Error(`no profile name for ${username} in ${team}`);
  return name;
};

/**
 * The fake AWS's tables for a sign-in of user-lob-a to lob-a's default team (the entitlements and
 * LOBs tables named by USERS_TABLE and LOBS_TABLE), with their keys.
 */
export const userLobATables = () => ({
  tables: {
    [process.env.USERS_TABLE!]: [
      {
        lob: "lob-a",
        userTeam: "user-lob-a#default",
        username: "user-lob-a",
        team: "default",
        profileName: P("user-lob-a"),
      },
    ],
    [process.env.LOBS_TABLE!]: [{ ...LOB_A_RECORD }],
  },
  keys: { [process.env.USERS_TABLE!]: ["lob", "userTeam"], [process.env.LOBS_TABLE!]: ["lob"] },
});
