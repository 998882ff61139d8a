import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      <p className="text-5xl font-bold text-slate-300">403</p>
      <h1 className="text-lg font-semibold">You don&apos;t have access to this page</h1>
      <p className="max-w-md text-slate-500">Your role does not include this section. Ask an admin if you need it.</p>
      <Link href="/" className="text-brand-700 underline">
        Go to the dashboard
      </Link>
    </main>
  );
}
