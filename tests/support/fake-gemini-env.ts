import { resetAiProvider } from "@/lib/ai/provider";
import { resetEnvCache } from "@/lib/env";
import { startGeminiServer } from "../fakes/gemini-server";

export const FAKE_GEMINI_KEY = "fake-gemini-key";

/** Starts the fake Gemini server and points the app's configuration at it (the real SDK path). */
export async function useFakeGemini() {
  const gemini = await startGeminiServer({ apiKey: FAKE_GEMINI_KEY });
  process.env.GEMINI_API_KEY = FAKE_GEMINI_KEY;
  process.env.GEMINI_BASE_URL = gemini.url;
  process.env.GEMINI_MODEL = "gemini-2.5-flash";
  resetEnvCache();
  resetAiProvider();
  return gemini;
}

/** The offline provider: no key. */
export function useOfflineAi() {
  delete process.env.GEMINI_API_KEY;
  delete process.env.GEMINI_BASE_URL;
  resetEnvCache();
  resetAiProvider();
}
