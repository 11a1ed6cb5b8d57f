/**
 * A small scripted SIP registrar + reg-event notifier on loopback UDP, for the answers Kamailio
 * cannot be made to give (probation, rejected, shortened, version gaps, hostile bodies, 489...).
 * It accepts REGISTER without authentication and lets a test send any NOTIFY it likes into the
 * client's subscription dialog.
 */
import { randomBytes } from "node:crypto";
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { Parser, type IncomingRequestMessage, type IncomingResponseMessage } from "sip.js/lib/core/index.js";
import { checkDigestAnswer } from "./digest-check.js";
import { responseTo } from "./sip-response.js";
import type { ReginfoContact } from "../../main/sip/reginfo-parser.js";

const quiet = { error() {}, warn() {}, log() {}, debug() {} } as never;

/** A contact to put in a document: the parser's own contact shape, id optional. */
export type ReginfoContactSpec = Pick<ReginfoContact, "state" | "event" | "uri" | "expires" | "retryAfter" | "callId"> & { id?: string };

export function reginfoXml(opts: { version: number; state?: "full" | "partial"; aor: string; regState?: string; contacts: ReginfoContactSpec[] }): string {
  const contacts = opts.contacts
    .map((c, i) => {
      const attrs = [
        `id="${c.id ?? `c${i}`}"`,
        `state="${c.state}"`,
        `event="${c.event}"`,
        c.expires !== undefined ? `expires="${c.expires}"` : "",
        c.retryAfter !== undefined ? `retry-after="${c.retryAfter}"` : "",
        c.callId ? `callid="${c.callId}"` : "",
      ].filter(Boolean);
      return `    <contact ${attrs.join(" ")}><uri>${c.uri}</uri></contact>`;
    })
    .join("\n");
  return `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="${opts.version}" state="${opts.state ?? "full"}">
  <registration aor="${opts.aor}" id="r1" state="${opts.regState ?? "active"}">
${contacts}
  </registration>
</reginfo>
`;
}

interface Dialog {
  callId: string;
  localTag: string;
  fromHeader: string;
  toUri: string;
  target: string;
  cseq: number;
  peer: RemoteInfo;
}

export class ScriptedSipPeer {
  /** Status for the next SUBSCRIBEs (200 accepts). */
  subscribeStatus = 200;
  /** Challenge this many SUBSCRIBEs with a fresh nonce (stale=true) before taking one (needs `auth`). */
  challengeSubscribes = 0;
  /** Expiry the registrar grants. */
  grantSec = 300;
  /** Subscription expiry put in the first NOTIFY. */
  subscriptionSec = 3600;
  /** Ignore this many REGISTERs (as if lost on the wire) before answering. */
  dropRegisters = 0;
  /**
   * Digest-challenge REGISTERs: one WWW-Authenticate per algorithm, in this order. `staleOnce`
   * answers the first correct response with a stale-nonce challenge.
   */
  auth: { realm: string; password: string; algorithms: string[]; staleOnce?: boolean; proxy?: boolean } | undefined;
  /**
   * How the normal 200 OK to REGISTER grants the expiry: our Contact with `;expires=grantSec`
   * ("param"), our Contact without the param ("bare"), or no Contact header at all ("none").
   */
  okContact: "param" | "bare" | "none" = "param";
  /** An `Expires:` header (seconds) in the normal 200 OK; none when undefined. */
  okExpiresHeader: number | undefined;
  /**
   * Raw text to answer a REGISTER with instead (a malformed response), or undefined for the usual
   * handling. `ok` is the well-formed 200 OK that would have been sent, to mangle.
   */
  registerRaw: ((req: IncomingRequestMessage, n: number, ok: string) => string | undefined) | undefined;
  /** Scripted answers to REGISTER: return [code, reason, extra headers] to answer so, or undefined for the normal 200. */
  registerResponder: ((req: IncomingRequestMessage, n: number) => [number, string, string[]?] | undefined) | undefined;
  /** Algorithms the client answered with, in order. */
  readonly answeredWith: string[] = [];
  private staleSent = false;
  readonly requests: IncomingRequestMessage[] = [];
  /** Our client's Contact (from its last REGISTER). */
  clientContact: string | undefined;
  clientCallId: string | undefined;
  private dialog: Dialog | undefined;
  /** Branch and CSeq of the last NOTIFY sent, to retransmit it. */
  lastNotify: { branch: string; cseq: number } | undefined;
  private pending = new Map<string, (code: number) => void>();
  private cseq = 1;

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on("message", (buf, rinfo) => this.onMessage(buf.toString("utf8"), rinfo));
  }

  static async start(): Promise<ScriptedSipPeer> {
    const socket = createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    return new ScriptedSipPeer(socket, socket.address().port);
  }

  get uri(): string {
    return `sip:127.0.0.1:${this.port}`;
  }

  count(method: string): number {
    return this.requests.filter((r) => r.method === method).length;
  }

  /**
   * Sends a NOTIFY in the client's subscription; resolves with the client's response code.
   * `retransmitOf` sends the same request again (same branch and CSeq), as UDP retransmission does.
   */
  notify(
    body: string,
    subscriptionState = `active;expires=${this.subscriptionSec}`,
    contentType = "application/reginfo+xml",
    retransmitOf?: { branch: string; cseq: number },
  ): Promise<number> {
    const d = this.dialog;
    if (!d) throw new Error("no subscription yet");
    const branch = retransmitOf?.branch ?? `z9hG4bK${randomBytes(6).toString("hex")}`;
    this.lastNotify = { branch, cseq: retransmitOf?.cseq ?? d.cseq + 1 };
    const text = [
      `NOTIFY ${d.target} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${this.port};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: <${d.toUri}>;tag=${d.localTag}`,
      `To: ${d.fromHeader}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${retransmitOf ? retransmitOf.cseq : ++d.cseq} NOTIFY`,
      `Contact: <sip:notifier@127.0.0.1:${this.port}>`,
      "Event: reg",
      `Subscription-State: ${subscriptionState}`,
      ...(body ? [`Content-Type: ${contentType}`] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(branch);
        reject(new Error("no response to NOTIFY"));
      }, 5000);
      this.pending.set(branch, (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.socket.send(text, d.peer.port, d.peer.address);
    });
  }

  /** Sends raw bytes to the client (garbage, oversized datagrams). */
  sendRaw(data: string | Buffer): void {
    const d = this.dialog;
    if (!d) throw new Error("no client address yet");
    this.socket.send(data, d.peer.port, d.peer.address);
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }

  /** "ok" for a correct answer, "stale" to ask again with a fresh nonce, else "challenge". */
  private checkAuth(req: IncomingRequestMessage): "ok" | "stale" | "challenge" {
    if (!this.auth) return "challenge";
    const answer = checkDigestAnswer(req, req.getHeader(this.auth.proxy ? "proxy-authorization" : "authorization"), this.auth);
    if (!answer) return "challenge";
    this.answeredWith.push(answer.algorithm);
    if (!answer.ok) return "challenge";
    if (this.auth.staleOnce && !this.staleSent) {
      this.staleSent = true;
      return "stale";
    }
    return "ok";
  }

  private onMessage(text: string, rinfo: RemoteInfo): void {
    const msg = Parser.parseMessage(text, quiet);
    if (!msg) return;
    if ("statusCode" in msg && (msg as IncomingResponseMessage).statusCode) {
      const res = msg as IncomingResponseMessage;
      const branch = /branch=([^;,\s]+)/.exec(res.getHeader("via") ?? "")?.[1] ?? "";
      this.pending.get(branch)?.(res.statusCode!);
      this.pending.delete(branch);
      return;
    }
    const req = msg as IncomingRequestMessage;
    this.requests.push(req);
    const toTag = req.toTag ?? randomBytes(4).toString("hex");
    const base = (code: number, reason: string, extra: string[] = []) => responseTo(req, code, reason, toTag, extra);
    const reply = (t: string) => this.socket.send(t, rinfo.port, rinfo.address);
    const challenge = (stale: boolean) => {
      const nonce = randomBytes(8).toString("hex");
      const header = this.auth!.proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
      const challenges = this.auth!.algorithms.map(
        (a) => `${header}: Digest realm="${this.auth!.realm}", nonce="${nonce}", qop="auth", algorithm=${a}${stale ? ", stale=true" : ""}`,
      );
      return this.auth!.proxy ? base(407, "Proxy Authentication Required", challenges) : base(401, "Unauthorized", challenges);
    };
    if (req.method === "REGISTER") {
      if (this.dropRegisters > 0) {
        this.dropRegisters--;
        return;
      }
      const okFor = (uri: string | undefined, expires: string | undefined) => {
        const binding = uri && expires !== "0";
        const contact = !binding || this.okContact === "none" ? [] : [`Contact: <${uri}>${this.okContact === "param" ? `;expires=${this.grantSec}` : ""}`];
        return base(200, "OK", [...contact, ...(binding && this.okExpiresHeader !== undefined ? [`Expires: ${this.okExpiresHeader}`] : [])]);
      };
      const contact = req.getHeader("contact") ?? "";
      const uri = /<([^>]+)>/.exec(contact)?.[1];
      const expires = /;expires=(\d+)/.exec(contact)?.[1];
      const raw = this.registerRaw?.(req, this.count("REGISTER"), okFor(uri, expires));
      if (raw !== undefined) return reply(raw);
      const scripted = this.registerResponder?.(req, this.count("REGISTER"));
      if (scripted) return reply(base(scripted[0], scripted[1], scripted[2] ?? []));
      if (this.auth) {
        const verdict = this.checkAuth(req);
        if (verdict !== "ok") return reply(challenge(verdict === "stale"));
      }
      if (uri && expires !== "0") {
        this.clientContact = uri;
        this.clientCallId = req.callId;
      }
      reply(okFor(uri, expires));
    } else if (req.method === "SUBSCRIBE") {
      if (this.subscribeStatus !== 200) return reply(base(this.subscribeStatus, "Scripted"));
      if (this.auth && this.challengeSubscribes > 0) {
        this.challengeSubscribes--;
        return reply(challenge(true));
      }
      const expires = Number(req.getHeader("expires") ?? "3600");
      reply(base(200, "OK", [`Expires: ${expires}`, `Contact: <sip:notifier@127.0.0.1:${this.port}>`]));
      if (expires === 0) return;
      if (!req.toTag) {
        this.dialog = {
          callId: req.callId,
          localTag: toTag,
          fromHeader: req.getHeader("from")!,
          toUri: req.to.uri.toString(),
          target: /<([^>]+)>/.exec(req.getHeader("contact") ?? "")?.[1] ?? req.from.uri.toString(),
          cseq: this.cseq++,
          peer: rinfo,
        };
      }
    } else if (req.method !== "ACK") {
      reply(base(405, "Method Not Allowed"));
    }
  }
}
