import type { NextAuthOptions } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { findUserByEmail } from "@/lib/team/users";
import { rawCollection } from "@/lib/db/collections";
import { signInBody } from "@/lib/schemas/user";
import { log } from "@/lib/log";
import { verifyPassword } from "./password";
import { clearFailures, lockedUntil, recordFailure } from "./throttle";

/** Messages the sign-in page shows as they are (next-auth passes a thrown Error's message through). */
export const signInErrors = {
  invalid: "Invalid email or password.",
  deactivated: "This account has been deactivated. Ask an admin to reactivate it.",
  locked: (until: Date) =>
    `Too many failed sign-in attempts. Try again in ${Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60000))} minutes.`,
};

function clientIp(headers: Record<string, unknown> | undefined): string | null {
  const fwd = headers?.["x-forwarded-for"];
  const first = typeof fwd === "string" ? fwd.split(",")[0]?.trim() : undefined;
  const real = headers?.["x-real-ip"];
  return first || (typeof real === "string" ? real : null);
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
        const keys = { email, ip: clientIp(req?.headers) };

        const until = await lockedUntil(keys);
        if (until) throw new Error(signInErrors.locked(until));

        const user = await findUserByEmail(email);
        const ok = user ? await verifyPassword(password, user.passwordHash) : false;
        if (!user || !ok) {
          await recordFailure(keys);
          log.info("auth.sign_in_failed", { email, ip: keys.ip });
          const nowLocked = await lockedUntil(keys);
          throw new Error(nowLocked ? signInErrors.locked(nowLocked) : signInErrors.invalid);
        }
        if (!user.active) throw new Error(signInErrors.deactivated);

        await clearFailures(keys);
        await rawCollection("users").updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } });
        return { id: user._id.toHexString(), orgId: user.orgId.toHexString(), role: user.role, name: user.name, email: user.email };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.orgId = user.orgId;
        token.role = user.role;
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
      };
      return session;
    },
  },
};
