export default function InboxIndexPage() {
  return (
    <div className="flex flex-1 items-center justify-center bg-slate-50 p-6 text-center text-sm text-slate-500">
      <p>
        Pick a conversation on the left, or press <kbd className="rounded bg-white px-1 ring-1 ring-slate-300">j</kbd> to open the first one.
        <br />
        <kbd className="rounded bg-white px-1 ring-1 ring-slate-300">?</kbd> shows every shortcut.
      </p>
    </div>
  );
}
