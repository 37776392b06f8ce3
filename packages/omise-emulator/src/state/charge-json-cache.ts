import { type RenderContext, renderCharge, toOmiseJson } from '../resource-render';
import { type ChargeState } from '../resource-types';

interface CachedText {
  revision: number;
  second: number;
  text: string;
}

const MAX_ENTRIES = 20_000;

/**
 * Charges as the API's response body. `GET /charges/:id` is the hot path of every benchmark,
 * so the pretty-printed text is kept until the charge changes (its `revision`) or the second
 * rolls over (the nested `refunds.to` is "now").
 */
export class ChargeJsonCache {
  private readonly entries = new Map<string, CachedText>();

  text(charge: ChargeState, ctx: RenderContext): string {
    const second = Math.floor(ctx.now() / 1000);
    const cached = this.entries.get(charge.id);
    if (cached !== undefined && cached.revision === charge.revision && cached.second === second) {
      return cached.text;
    }
    const text = toOmiseJson(renderCharge(charge, ctx));
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(charge.id, { revision: charge.revision, second, text });
    return text;
  }

  clear(): void {
    this.entries.clear();
  }
}
