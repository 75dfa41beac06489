// The seeded district and company of the console's tests: the catalogs,
// users and classes of the seed workflows, pushed the way an IdP and an
// administrator would (SCIM, then the admin API), with group_map policies.
import { AllotApi } from './api';
import { startAllot, type RunningAllot } from './server';

export interface Person {
  id: string;
  userName: string;
  displayName: string;
}

export interface Seeded {
  baseUrl: string;
  tokens: Record<string, { admin: string; scim: string }>;
  roleTokens: { districtSubscriptionAdmin: string; districtUserAdmin: string; companyUserAdmin: string };
  district: {
    teachers: Person[];
    room12: { id: string; students: Person[] };
    room7: { id: string; students: Person[] };
  };
  company: {
    sales: Person[];
    engineering: Person[];
    office: Person[];
  };
}

const first = ['Ana', 'Ben', 'Chloe', 'Dev', 'Elif', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena', 'Mateo', 'Nia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sami', 'Tara', 'Uma', 'Victor', 'Wen', 'Xavi', 'Yara', 'Zane'];
const last = ['Rivera', 'Chen', 'Okafor', 'Patel', 'Nowak', 'Adeyemi', 'Silva', 'Kim', 'Petrov', 'Li', 'Mensah', 'Berg', 'Lopez', 'Diallo', 'Haddad', 'Shah', 'Moore', 'Costa', 'Aziz', 'Singh', 'Ito', 'Hugo', 'Zhao', 'Ruiz', 'Haddad', 'Grey'];

export async function pushUser(
  scim: AllotApi,
  userName: string,
  given: string,
  family: string,
  extra: Record<string, unknown> = {},
): Promise<Person> {
  const displayName = `${given} ${family}`;
  const { body } = await scim.call<{ id: string }>('POST', '/scim/v2/Users', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    displayName,
    name: { givenName: given, familyName: family },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...extra,
  }, [201]);
  return { id: body.id, userName, displayName };
}

export async function pushGroup(scim: AllotApi, displayName: string, members: Person[]): Promise<string> {
  const { body } = await scim.call<{ id: string }>('POST', '/scim/v2/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName,
    members: members.map((m) => ({ value: m.id })),
  }, [201]);
  return body.id;
}

export const policies = {
  'district-teachers': {
    name: 'district-teachers', plugin: 'group_map', priority: 10, tenants: ['district'],
    config: { rules: [{ group: 'Teachers', subscription: 'lit-core' }] },
  },
  'district-classes': {
    name: 'district-classes', plugin: 'group_map', priority: 20, tenants: ['district'],
    config: { rules: [{ group: 'Grade 3 - Room 12', subscription: 'lit-core' }, { group: 'Grade 4 - Room 7', subscription: 'lit-core' }] },
  },
  'company-learning': {
    name: 'company-learning', plugin: 'group_map', priority: 10, tenants: ['company'],
    config: { rules: [{ group: 'Sales', subscription: 'learn-std' }, { group: 'Engineering', subscription: 'learn-std' }] },
  },
};

export async function seed(allot: RunningAllot): Promise<Seeded> {
  const d = allot.tenants.district!;
  const c = allot.tenants.company!;
  const dAdmin = new AllotApi(allot.baseUrl, d.admin_token);
  const dScim = new AllotApi(allot.baseUrl, d.scim_token);
  const cAdmin = new AllotApi(allot.baseUrl, c.admin_token);
  const cScim = new AllotApi(allot.baseUrl, c.scim_token);

  // District: a literacy family (Core, Plus) and a small math pool.
  await dAdmin.admin('POST', '/products', { id: 'literacy-core', name: 'Pre-K Literacy Core', family: 'literacy' });
  await dAdmin.admin('POST', '/products', { id: 'literacy-plus', name: 'Pre-K Literacy Plus', family: 'literacy' });
  await dAdmin.admin('POST', '/products', { id: 'math', name: 'Math Adventures' });
  await dAdmin.admin('POST', '/subscriptions', { id: 'lit-core', product_id: 'literacy-core', seats: 60 });
  await dAdmin.admin('POST', '/subscriptions', { id: 'lit-plus', product_id: 'literacy-plus', seats: 40 });
  await dAdmin.admin('POST', '/subscriptions', { id: 'math-2026', product_id: 'math', seats: 2 });
  const teachers = [
    await pushUser(dScim, 'ana.rivera@district.example', 'Ana', 'Rivera', { userType: 'Teacher' }),
    await pushUser(dScim, 'ben.chen@district.example', 'Ben', 'Chen', { userType: 'Teacher' }),
    await pushUser(dScim, 'chloe.okafor@district.example', 'Chloe', 'Okafor', { userType: 'Teacher' }),
  ];
  const room12: Person[] = [];
  for (let i = 0; i < 24; i++) {
    room12.push(await pushUser(dScim, `s3-${String(i + 1).padStart(2, '0')}@district.example`, first[i % 26]!, last[(i + 5) % 26]!, { userType: 'Student' }));
  }
  const room7: Person[] = [];
  for (let i = 0; i < 6; i++) {
    room7.push(await pushUser(dScim, `s4-${String(i + 1).padStart(2, '0')}@district.example`, first[(i + 7) % 26]!, last[(i + 11) % 26]!, { userType: 'Student' }));
  }
  await pushGroup(dScim, 'Teachers', teachers);
  const room12Id = await pushGroup(dScim, 'Grade 3 - Room 12', room12);
  const room7Id = await pushGroup(dScim, 'Grade 4 - Room 7', room7);
  // The math pool is full: two students hold its seats.
  await dAdmin.admin('PUT', `/users/${room12[0]!.id}/licenses/math-2026`);
  await dAdmin.admin('PUT', `/users/${room12[1]!.id}/licenses/math-2026`);

  const subAdmin = await dAdmin.admin<{ token: string }>('POST', '/admins', { name: 'Math coordinator', role: 'subscription_admin', subscriptions: ['math-2026'] });
  const userAdmin = await dAdmin.admin<{ token: string }>('POST', '/admins', { name: 'Front office', role: 'user_admin' });

  // Company: a learning family (Standard, Premium) and an office suite.
  await cAdmin.admin('POST', '/products', { id: 'learning-standard', name: 'Learning Standard', family: 'learning' });
  await cAdmin.admin('POST', '/products', { id: 'learning-premium', name: 'Learning Premium', family: 'learning' });
  await cAdmin.admin('POST', '/products', { id: 'office', name: 'Office Suite' });
  await cAdmin.admin('POST', '/subscriptions', { id: 'learn-std', product_id: 'learning-standard', seats: 50 });
  await cAdmin.admin('POST', '/subscriptions', { id: 'learn-prem', product_id: 'learning-premium', seats: 10 });
  await cAdmin.admin('POST', '/subscriptions', { id: 'office-e3', product_id: 'office', seats: 4 });
  const sales: Person[] = [];
  for (let i = 0; i < 8; i++) {
    sales.push(await pushUser(cScim, `sales${i + 1}@company.example`, first[(i + 3) % 26]!, last[(i + 2) % 26]!, {
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
    }));
  }
  const engineering: Person[] = [];
  for (let i = 0; i < 8; i++) {
    engineering.push(await pushUser(cScim, `eng${i + 1}@company.example`, first[(i + 13) % 26]!, last[(i + 17) % 26]!, {
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Engineering' },
    }));
  }
  await pushGroup(cScim, 'Sales', sales);
  await pushGroup(cScim, 'Engineering', engineering);
  const office = [sales[0]!, sales[1]!, engineering[0]!, engineering[1]!];
  for (const p of office) await cAdmin.admin('PUT', `/users/${p.id}/licenses/office-e3`);
  const companyUserAdmin = await cAdmin.admin<{ token: string }>('POST', '/admins', { name: 'HR desk', role: 'user_admin' });

  return {
    baseUrl: allot.baseUrl,
    tokens: {
      district: { admin: d.admin_token, scim: d.scim_token },
      company: { admin: c.admin_token, scim: c.scim_token },
    },
    roleTokens: {
      districtSubscriptionAdmin: subAdmin.token,
      districtUserAdmin: userAdmin.token,
      companyUserAdmin: companyUserAdmin.token,
    },
    district: { teachers, room12: { id: room12Id, students: room12 }, room7: { id: room7Id, students: room7 } },
    company: { sales, engineering, office },
  };
}

export async function startSeeded(): Promise<{ allot: RunningAllot; seeded: Seeded }> {
  const allot = await startAllot({ tenants: ['district', 'company'], policies });
  try {
    return { allot, seeded: await seed(allot) };
  } catch (e) {
    await allot.stop();
    throw e;
  }
}
