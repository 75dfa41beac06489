// A small client of allot's admin and SCIM APIs for the tests' seeding and
// their checks: every browser test verifies its result here, through the
// API, not through the page.
export class AllotApi {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, expect?: number[]): Promise<{ status: number; body: T }> {
    const scim = path.startsWith('/scim/');
    const r = await fetch(this.baseUrl + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': scim ? 'application/scim+json' : 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    const parsed = text ? (JSON.parse(text) as T) : (null as T);
    if (expect && !expect.includes(r.status)) {
      throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
    }
    return { status: r.status, body: parsed };
  }

  async get<T = any>(path: string): Promise<T> {
    return (await this.call<T>('GET', path, undefined, [200])).body;
  }
  async admin<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.call<T>(method, `/admin/v1${path}`, body, [200, 201, 204])).body;
  }
  async licenses(userId: string): Promise<{ subscription_id: string; state: string }[]> {
    return (await this.get<{ items: { subscription_id: string; state: string }[] }>(`/admin/v1/users/${userId}/licenses`)).items;
  }
}
