// The organisation's KooDrive capacity policies: a guard in front of every resource that adds users or space,
// guards that are mandatory with the organisation's minimums, and plans that fit the tenant as the pack reads it.
// Configure them with --policy-pack-config (see policy-config.json and the docs' "Organisation policy").
const { PolicyPack } = require("@pulumi/policy");
const { koodrivePolicies } = require("pulumi-koodrive/policy");

new PolicyPack("koodrive", { policies: koodrivePolicies() });
