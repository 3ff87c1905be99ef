import * as pulumi from "@pulumi/pulumi";

// A team's stack decides from the platform's published figures, without KooDrive credentials of its own.
const config = new pulumi.Config();
const platform = new pulumi.StackReference(config.require("platformStack"));
const wantedSeats = config.requireNumber("wantedSeats");

const remainingSeats = platform.requireOutput("remainingSeats") as pulumi.Output<number>;
export const canOnboard = remainingSeats.apply((left) => left >= wantedSeats);
export const decision = remainingSeats.apply((left) =>
  left >= wantedSeats
    ? `onboard ${wantedSeats} users (${left} seats left)`
    : `wait: ${wantedSeats} seats wanted, ${left} left`,
);
