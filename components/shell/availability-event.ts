import type { Availability } from "@/lib/schemas/user";

/** Fired on window when the signed-in user's availability changed, so every control showing it agrees. */
export const AVAILABILITY_EVENT = "me:availability-changed";

export function announceAvailability(availability: Availability) {
  window.dispatchEvent(new CustomEvent<Availability>(AVAILABILITY_EVENT, { detail: availability }));
}
