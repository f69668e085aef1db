import { z } from "zod";
import type { PolicyDocument } from "../../components/policies/document";
import type { TeamConfig } from "../../components/studio-spoke";
import { profileNameFor } from "../../functions/shared/profile-name";
import { DEFAULT_TEAM, TEAM_NAME } from "../../functions/shared/teams";
import { budget } from "./budget";
import { matching, noRepeats, strict } from "./common";
import { idleShutdown, instanceTypes, spaceStorage } from "./studio-limits";

const USERNAME = "a Cognito username (no spaces, at most 128 characters) with a letter or digit";

/**
 * A username with a valid profile name. Two usernames never share a profile name
 * (`profileNameFor` hashes every username), so only repeats are refused.
 */
export const username = z
  .string({ error: USERNAME })
  .refine((name) => profileNameFor(name) !== undefined, { error: USERNAME });

export const members = z
  .array(username, { error: "a list of usernames" })
  .superRefine(noRepeats("a username not already listed"))
  .describe("a list of usernames");

const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,128}$/;
const POLICY =
  'a managed policy ARN (arn:aws:iam::aws:policy/... or arn:aws:iam::<account>:policy/...) or a policy document {Version: "2012-10-17", Statement: [...]}';
const policy = z.union(
  [
    z.string({ error: POLICY }).regex(MANAGED_POLICY_ARN, { error: POLICY }),
    z.looseObject(
      {
        Version: z.literal("2012-10-17", { error: POLICY }),
        Statement: z.array(z.unknown(), { error: POLICY }).min(1, { error: POLICY }),
      },
      { error: POLICY },
    ),
  ],
  { error: POLICY },
);

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const TAG_KEY_EXPECTED = "tag keys of IAM's characters, not starting with aws: or studio-access:";
// How many fit on the team's role is checked with the other IAM quotas, in the LOB section.
const tags = z.record(
  z
    .string()
    .regex(TAG_KEY, { error: TAG_KEY_EXPECTED })
    .refine((key) => !/^(aws:|studio-access:)/i.test(key), { error: TAG_KEY_EXPECTED }),
  matching(TAG_VALUE, "a tag value of at most 256 of IAM's characters"),
  { error: "an object of tag key to value" },
);

const team = strict(
  {
    members: members.default([]),
    policies: z
      .array(policy, { error: "a list of managed policy ARNs or policy documents" })
      .default([]),
    tags: tags.default({}),
    budget: budget.optional(),
    // Absent: the LOB's (issue #21).
    idleShutdown: idleShutdown.optional(),
    instanceTypes: instanceTypes.optional(),
    spaceStorage: spaceStorage.optional(),
  },
  "an object with members, policies, tags, budget, idleShutdown, instanceTypes and spaceStorage",
  "value",
);

const TEAM_NAMES = `team names of lower-case letters and digits in dash-separated words, at most 20 characters, other than "${DEFAULT_TEAM}"`;
const TEAMS =
  "an object of team name to {members, policies, tags, budget, idleShutdown, instanceTypes, spaceStorage}, with at least one team";

/**
 * `teams: {<team>: {members?, policies?, tags?, budget?, idleShutdown?, instanceTypes?, spaceStorage?}}`: each team with its
 * own role and profiles.
 */
export const teams = z
  .record(
    z
      .string()
      .regex(TEAM_NAME, { error: TEAM_NAMES })
      .refine((name) => name !== DEFAULT_TEAM, { error: TEAM_NAMES }),
    team,
    { error: TEAMS },
  )
  .refine((value) => Object.keys(value).length > 0, { error: TEAMS })
  .transform((value): TeamConfig[] =>
    Object.entries(value).map(
      ([name, { members, policies, tags, budget: teamBudget, ...limits }]) => ({
        name,
        members,
        managedPolicyArns: policies.filter((p): p is string => typeof p === "string"),
        // A document is passed on whole, as written; IAM checks its statements.
        inlinePolicies: policies.filter(
          (p) => typeof p !== "string",
        ) as unknown as PolicyDocument[],
        tags,
        ...(teamBudget ? { budget: teamBudget } : {}),
        ...(limits.idleShutdown !== undefined ? { idleShutdown: limits.idleShutdown } : {}),
        ...(limits.instanceTypes !== undefined ? { instanceTypes: limits.instanceTypes } : {}),
        ...(limits.spaceStorage !== undefined ? { spaceStorage: limits.spaceStorage } : {}),
      }),
    ),
  )
  .describe(
    "an object of team name to {members, policies, tags, budget, idleShutdown, instanceTypes, spaceStorage}",
  );
