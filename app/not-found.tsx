import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      <p className="text-5xl font-bold text-slate-300">404</p>
      <h1 className="text-lg font-semibold">This page does not exist</h1>
      <Link href="/" className="text-brand-700 underline">
        Go to the dashboard
      </Link>
    </main>
  );
}
