import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "@/lib/outbound-webhooks/url-policy";

/** The addresses an endpoint must not reach (the server's own network), in every spelling the URL parser leaves. */
describe("isPrivateAddress", () => {
  it.each([
    ["10.0.0.1", true],
    ["172.16.5.4", true],
    ["172.31.255.255", true],
    ["192.168.1.1", true],
    ["127.0.0.1", true],
    ["169.254.169.254", true],
    ["100.64.0.1", true],
    ["0.0.0.0", true],
    ["224.0.0.1", true],
    ["::1", true],
    ["[::1]", true],
    ["::", true],
    ["fd12:3456::1", true],
    ["fe80::1", true],
    ["::ffff:10.0.0.1", true],
    ["[::ffff:192.168.0.1]", true],
    [new URL("https://[::ffff:10.0.0.1]/").hostname, true],
    [new URL("https://[::ffff:8.8.8.8]/").hostname, false],
    [new URL("https://0x7f.1/").hostname, true],
    ["172.32.0.1", false],
    ["100.128.0.1", false],
    ["8.8.8.8", false],
    ["2606:4700::1111", false],
    ["example.com", false],
  ])("%s: %s", (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});
