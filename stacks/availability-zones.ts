import * as aws from "@pulumi/aws";
import { eligibleAvailabilityZones, endpointServices } from "../components/lib/endpoints";
import { ConfigError, NAMESPACE, type SharedConfig } from "./config";

/**
 * Looks up, before anything is declared, the hub's AZ ids: zones that need no opt-in (Local and
 * Wavelength Zones do) in which every interface endpoint service the hub creates is offered. A
 * region with too few fails the run with a message naming the zones and what they lack.
 */
export async function hubAvailabilityZones(
  config: SharedConfig,
  provider: aws.Provider,
): Promise<string[]> {
  const [zones, services] = await Promise.all([
    aws.getAvailabilityZones(
      {
        state: "available",
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      },
      { provider },
    ),
    Promise.all(
      endpointServices(config.region, config.extraEndpoints).map(async ({ serviceName }) => ({
        serviceName,
        zoneNames: (await aws.ec2.getVpcEndpointService({ serviceName }, { provider }))
          .availabilityZones,
      })),
    ),
  ]);
  try {
    return eligibleAvailabilityZones({
      region: config.region,
      count: config.availabilityZones,
      zones,
      services,
    });
  } catch (error) {
    throw new ConfigError([
      `${NAMESPACE}:availabilityZones is ${String(config.availabilityZones)}: ${(error as Error).message}`,
    ]);
  }
}
