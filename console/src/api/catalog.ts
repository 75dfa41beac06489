// Products and subscriptions within the caller's scope, fetched together
// and kept briefly: every licensing screen needs them to name products, show
// available seats and find the license types a license may move to.
import { listAll } from './client';
import type { Product, Subscription } from './types';

export interface Catalog {
  products: Map<string, Product>;
  subscriptions: Subscription[];
}

let cached: { at: number; value: Promise<Catalog> } | null = null;

export function loadCatalog(fresh = false): Promise<Catalog> {
  if (!fresh && cached && Date.now() - cached.at < 10_000) return cached.value;
  const value = Promise.all([
    listAll<Product>('/products'),
    listAll<Subscription>('/subscriptions'),
  ]).then(([products, subscriptions]) => ({
    products: new Map(products.map((p) => [p.id, p])),
    subscriptions,
  }));
  cached = { at: Date.now(), value };
  value.catch(() => {
    cached = null;
  });
  return value;
}

export function productName(catalog: Catalog | null, productId: string): string {
  return catalog?.products.get(productId)?.name ?? productId;
}

// The subscriptions a license of `fromSub` may move to: the same product,
// or a product of the same exclusive family (CONTRACT, "Move").
export function moveTargets(catalog: Catalog, fromSub: string): Subscription[] {
  const from = catalog.subscriptions.find((s) => s.id === fromSub);
  if (!from) return [];
  const family = catalog.products.get(from.product_id)?.family ?? null;
  return catalog.subscriptions.filter((s) => {
    if (s.id === fromSub) return false;
    if (s.product_id === from.product_id) return true;
    const f = catalog.products.get(s.product_id)?.family ?? null;
    return family !== null && f === family;
  });
}
