// `pulumi up --policy-pack policy` runs this: every policy is mandatory, so a violation stops the update.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("studio-access", { policies });
