import type { Role } from "@/lib/schemas/common";

declare module "next-auth" {
  interface Session {
    user: { id: string; orgId: string; role: Role; name: string; email: string };
  }
  interface User {
    id: string;
    orgId: string;
    role: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    orgId?: string;
    role?: Role;
  }
}
