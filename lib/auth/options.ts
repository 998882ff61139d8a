import type { NextAuthOptions } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { endSessions, findUserByEmail } from "@/lib/team/users";
import { rawCollection } from "@/lib/db/collections";
import { signInBody } from "@/lib/schemas/user";
import { log } from "@/lib/log";
import { verifyPassword } from "./password";
import { recordActivity } from "@/lib/audit/audit";
import type { UserDoc } from "@/lib/schemas/user";
import { clientAddress } from "./client-address";
import { clearFailures, LOCK_MS, recordFailure, refusal, type FailureResult, type Refusal, type ThrottleKeys } from "./throttle";

/** Messages the sign-in page shows as they are (next-auth passes a thrown Error's message through). */
export const signInErrors = {
  invalid: "Invalid email or password.",
  deactivated: "This account has been deactivated. Ask an admin to reactivate it.",
  locked: (until: Date) =>
    `Too many failed sign-in attempts from this device. Try again in ${Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60000))} minutes.`,
  slowDown: (until: Date) =>
    `Too many failed sign-in attempts for this account. Wait ${Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000))} seconds and try again.`,
};

const refusalMessage = (r: Refusal) => (r.kind === "locked" ? signInErrors.locked(r.until) : signInErrors.slowDown(r.until));

/** A lock is a security event: logged, and in the audit log of the account's organization for its admins. */
async function reportLock(user: UserDoc | null, keys: ThrottleKeys, locked: FailureResult["locked"]) {
  if (locked.length === 0) return;
  log.warn("auth.lockout", { email: keys.email, ip: keys.ip, locked });
  if (!user) return;
  await recordActivity(user.orgId, { id: null, name: "Sign-in throttle", ip: keys.ip }, {
    action: "user.sign_in_locked",
    entityType: "user",
    entityId: user._id,
    after: { email: user.email, address: keys.ip ?? "unknown", locked: locked.join(", "), minutes: Math.round(LOCK_MS / 60000) },
  });
}

// NEXTAUTH_SECRET is read by next-auth from the environment (validated by lib/env at server start).
export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
  // Secure, __Secure- prefixed cookies whenever the app is served over HTTPS (said, not inferred).
  useSecureCookies: (process.env.NEXTAUTH_URL ?? process.env.APP_URL ?? "").startsWith("https://"),
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        const parsed = signInBody.safeParse({ email: credentials?.email, password: credentials?.password });
        if (!parsed.success) throw new Error(signInErrors.invalid);
        const { email, password } = parsed.data;
        const keys = { email, ip: clientAddress(req?.headers) };

        const refused = await refusal(keys);
        if (refused) throw new Error(refusalMessage(refused));

        const user = await findUserByEmail(email);
        const ok = user ? await verifyPassword(password, user.passwordHash) : false;
        if (!user || !ok) {
          const { locked } = await recordFailure(keys);
          log.info("auth.sign_in_failed", { email, ip: keys.ip });
          await reportLock(user, keys, locked);
          const now = await refusal(keys);
          throw new Error(now ? refusalMessage(now) : signInErrors.invalid);
        }
        if (!user.active) throw new Error(signInErrors.deactivated);

        await clearFailures(keys);
        await rawCollection("users").updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } });
        return { id: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email, sv: user.sessionVersion ?? 0 };
      },
    }),
  ],
  events: {
    // A JWT cannot be recalled: signing out moves the user's session version on, so this cookie
    // (and any copy of it) is refused from the next request on.
    async signOut({ token }) {
      if (token?.uid && token.orgId) await endSessions(token.orgId, token.uid, token.sv ?? 0);
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.orgId = user.orgId;
        token.role = user.role;
        token.sv = user.sv;
      }
      return token;
    },
    session({ session, token }) {
      session.user = {
        id: token.uid ?? "",
        orgId: token.orgId ?? "",
        role: token.role ?? "viewer",
        name: token.name ?? "",
        email: token.email ?? "",
        sv: token.sv ?? 0,
      };
      return session;
    },
  },
};
