/**
 * Meta's error codes as the Cloud API reports them: `(#code) title` plus `error_data.details`
 * (docs: whatsapp-cloud-api-notes.md section 3; titles from Meta's error-code page and observed payloads).
 */
export const metaErrors: Record<number, { title: string; details: string; httpStatus: number }> = {
  0: { title: "AuthException", details: "Unable to authenticate the app user.", httpStatus: 401 },
  4: { title: "Application request limit reached", details: "The app has reached its API call rate limit.", httpStatus: 400 },
  100: { title: "Invalid parameter", details: "The request included one or more unsupported or misspelled parameters.", httpStatus: 400 },
  190: { title: "Invalid OAuth access token - Cannot parse access token", details: "Your access token has expired.", httpStatus: 401 },
  80007: { title: "Rate limit issues", details: "The WhatsApp Business Account has reached its rate limit.", httpStatus: 400 },
  130429: { title: "Rate limit hit", details: "Cloud API message throughput has been reached.", httpStatus: 400 },
  130472: { title: "User's number is part of an experiment", details: "Failed to send message because this user's phone number is part of an experiment.", httpStatus: 400 },
  131000: { title: "Something went wrong", details: "Message failed to send due to an unknown error.", httpStatus: 500 },
  131008: { title: "Required parameter is missing", details: "The request is missing a required parameter.", httpStatus: 400 },
  131009: { title: "Parameter value is not valid", details: "One or more parameter values are invalid.", httpStatus: 400 },
  131026: { title: "Receiver is incapable of receiving this message", details: "Message Undeliverable.", httpStatus: 400 },
  131047: {
    title: "Re-engagement message",
    details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    httpStatus: 400,
  },
  131049: {
    title: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
    httpStatus: 400,
  },
  131050: {
    title: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
    details: "The user has stopped marketing messages from this business.",
    httpStatus: 400,
  },
  131051: { title: "Unsupported message type", details: "Message type is not currently supported.", httpStatus: 400 },
  131053: { title: "Media upload error", details: "Unable to upload the media used in the message.", httpStatus: 400 },
  131056: {
    title: "(Business Account, Consumer Account) pair rate limit hit",
    details: "Too many messages sent from the sender phone number to the same recipient phone number in a short period of time.",
    httpStatus: 400,
  },
  131057: { title: "Account in maintenance mode", details: "Business Account is in maintenance mode.", httpStatus: 400 },
  132000: { title: "Number of parameters does not match the expected number of params", details: "The number of parameters provided does not match the template.", httpStatus: 400 },
  132001: { title: "Template name does not exist in the translation", details: "The template does not exist in the specified language or has not been approved.", httpStatus: 400 },
  132015: { title: "Template is Paused", details: "The template is paused due to low quality.", httpStatus: 400 },
};

export function metaError(code: number, details?: string) {
  const known = metaErrors[code] ?? { title: "Unknown error", details: "An unknown error occurred.", httpStatus: 400 };
  return { ...known, details: details ?? known.details };
}

/** The synchronous Graph API error body. */
export function graphErrorBody(code: number, details?: string) {
  const e = metaError(code, details);
  return {
    status: e.httpStatus,
    body: {
      error: {
        message: `(#${code}) ${e.title}`,
        type: "OAuthException",
        code,
        error_data: { messaging_product: "whatsapp", details: e.details },
        fbtrace_id: fbtraceId(),
      },
    },
  };
}

/** The error object inside a failed status webhook. */
export function webhookError(code: number) {
  const e = metaError(code);
  return { code, title: e.title, message: e.title, error_data: { details: e.details }, href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/" };
}

function fbtraceId() {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  return Array.from({ length: 23 }, () => chars[Math.floor(Math.random() * chars.length)]).join("");
}
