import {
  TEAM_DENIED_ACTIONS,
  TEAM_RESOURCE_KINDS,
  executionRoleTrustPolicy,
  studioExecutionPolicy,
  teamAbacPolicy,
  teamDenyPolicy,
} from "../../../components/policies/studio-roles";

const where = { region: "eu-west-1", accountId: "222222222222" };
const TEAM_ROLE = "arn:aws:iam::222222222222:role/studio-access/studio-access-team-analytics";

describe("the roles Studio runs as in a LOB account", () => {
  it("lets SageMaker assume the execution role and name the profile as source identity", () => {
    expect(executionRoleTrustPolicy().Statement[0]?.Action).toEqual([
      "sts:AssumeRole",
      "sts:SetSourceIdentity",
    ]);
  });

  it("confines the shared execution role to its own domain", () => {
    const read = studioExecutionPolicy({ ...where, domainId: "d-abc" }).Statement[0];
    expect(read?.Resource).toEqual([
      "arn:aws:sagemaker:eu-west-1:222222222222:domain/d-abc",
      "arn:aws:sagemaker:eu-west-1:222222222222:user-profile/d-abc/*",
      "arn:aws:sagemaker:eu-west-1:222222222222:space/d-abc/*",
      "arn:aws:sagemaker:eu-west-1:222222222222:app/d-abc/*",
    ]);
  });

  it.each(["CreateOnlyTaggedWithOwnTeam", "TagOnlyWithOwnTeam", "ManageOnlyOwnTeamResources"])(
    "%s covers every team resource kind, and no other",
    (sid) => {
      const statement = teamAbacPolicy({ ...where, teamRoleArn: TEAM_ROLE }).Statement.find(
        (s) => s.Sid === sid,
      );
      expect(statement?.Resource).toEqual(
        TEAM_RESOURCE_KINDS.map((kind) => `arn:aws:sagemaker:eu-west-1:222222222222:${kind}/*`),
      );
    },
  );

  it("lets a team pass only its own role, to SageMaker only", () => {
    const pass = teamAbacPolicy({ ...where, teamRoleArn: TEAM_ROLE }).Statement.at(-1);
    expect(pass).toMatchObject({ Sid: "PassOwnRoleToSageMaker", Resource: TEAM_ROLE });
  });

  it("denies every team what no team needs", () => {
    expect(teamDenyPolicy().Statement).toEqual([
      {
        Sid: "DenyWhatNoTeamNeeds",
        Effect: "Deny",
        Action: [...TEAM_DENIED_ACTIONS],
        Resource: "*",
      },
    ]);
  });
});
