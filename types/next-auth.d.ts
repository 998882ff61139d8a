import type { Role } from "@/lib/schemas/common";

declare module "next-auth" {
  interface Session {
    user: { id: string; orgId: string; role: Role; name: string; email: string; sv: number };
  }
  interface User {
    id: string;
    orgId: string;
    role: Role;
    /** The user's session version at sign-in (lib/schemas/user.ts). */
    sv: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    orgId?: string;
    role?: Role;
    sv?: number;
  }
}
