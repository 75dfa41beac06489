#!/usr/bin/env bash
# Seeds a SQLite allot database with the console benchmark's shape straight
# in SQL (seconds instead of minutes over SCIM /Bulk), for measuring the
# admin API's queries alone: N users (user000000@bench.example …, names as
# console.bench.ts makes them), 101 classes of 30 ("Grade 3 - Room 12" holds
# the 30 users from the middle), and active licenses of subscription
# lit-2026 (which must exist: create it through the API first) for the first
# 2,000 users and the class. The server may be running (SQLite WAL); it
# keeps no copy of these rows.
# Usage: bench/console/seed_sql.sh DATA_DIR [USERS [TENANT]]
set -euo pipefail
db="$1/allot.db"
users="${2:-100000}"
tenant="${3:-default}"
now="2026-11-30T00:00:00.000Z"
sqlite3 -bail "$db" <<SQL
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < $users) INSERT INTO n SELECT i FROM c;
CREATE TEMP TABLE names(i INTEGER PRIMARY KEY, given TEXT, family TEXT);
INSERT INTO names SELECT i,
  json_extract('["Ana","Ben","Chloe","Dev","Elif","Femi","Gus","Hana","Ivan","Jia","Kofi","Lena","Mateo","Nia","Omar","Priya","Quinn","Rosa","Sami","Tara"]', '\$[' || (i % 20) || ']'),
  json_extract('["Rivera","Chen","Okafor","Patel","Nowak","Adeyemi","Silva","Kim","Petrov","Li","Mensah","Berg","Lopez","Diallo","Haddad","Shah","Moore","Costa","Aziz","Singh"]', '\$[' || ((i / 20) % 20) || ']') || i
  FROM n;
INSERT OR IGNORE INTO scim_users (tenant_id, id, user_name, user_name_lower, external_id, display_name, active, resource, version, created_at, updated_at, search_text)
  SELECT '$tenant', printf('u-%06d', i), printf('user%06d@bench.example', i), printf('user%06d@bench.example', i), NULL,
         given || ' ' || family, 1,
         json_object('active', json('true'), 'displayName', given || ' ' || family,
                     'emails', json_array(json_object('type', 'work', 'value', printf('user%06d@bench.example', i))),
                     'name', json_object('familyName', family, 'givenName', given),
                     'schemas', json_array('urn:ietf:params:scim:schemas:core:2.0:User'),
                     'userName', printf('user%06d@bench.example', i)),
         1, '$now', '$now',
         lower(printf('user%06d@bench.example', i) || char(10) || given || ' ' || family)
  FROM names;
INSERT INTO scim_user_emails (tenant_id, user_id, value_lower, type)
  SELECT '$tenant', printf('u-%06d', i), printf('user%06d@bench.example', i), 'work' FROM n;
DELETE FROM scim_list_counts WHERE tenant_id = '$tenant' AND resource_type = 'User' AND shard > 0;
UPDATE scim_list_counts SET live_count = (SELECT COUNT(*) FROM scim_users WHERE tenant_id = '$tenant' AND deleted_at IS NULL), generation = generation + 1
  WHERE tenant_id = '$tenant' AND resource_type = 'User';
INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, resource, version, created_at, updated_at)
  SELECT '$tenant', printf('g-%03d', i), 'Class ' || i, 'class ' || i, NULL,
         json_object('displayName', 'Class ' || i, 'schemas', json_array('urn:ietf:params:scim:schemas:core:2.0:Group')), 1, '$now', '$now'
  FROM n WHERE i >= 1 AND i <= 100;
INSERT INTO scim_groups (tenant_id, id, display_name, display_name_lower, external_id, resource, version, created_at, updated_at)
  VALUES ('$tenant', 'g-room12', 'Grade 3 - Room 12', 'grade 3 - room 12', NULL,
          json_object('displayName', 'Grade 3 - Room 12', 'schemas', json_array('urn:ietf:params:scim:schemas:core:2.0:Group')), 1, '$now', '$now');
INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type)
  SELECT '$tenant', printf('g-%03d', i / 30 + 1), printf('u-%06d', i), 'User' FROM n WHERE i < 3000;
INSERT INTO scim_group_members (tenant_id, group_id, member_id, member_type)
  SELECT '$tenant', 'g-room12', printf('u-%06d', i), 'User' FROM n WHERE i >= $users / 2 AND i < $users / 2 + 30;
DELETE FROM scim_list_counts WHERE tenant_id = '$tenant' AND resource_type = 'Group' AND shard > 0;
UPDATE scim_list_counts SET live_count = (SELECT COUNT(*) FROM scim_groups WHERE tenant_id = '$tenant' AND deleted_at IS NULL), generation = generation + 1
  WHERE tenant_id = '$tenant' AND resource_type = 'Group';
INSERT INTO assignments (tenant_id, user_id, subscription_id, state, sources, wanted_since, activated_at)
  SELECT '$tenant', printf('u-%06d', i), 'lit-2026', 'active', 'admin', '$now', '$now' FROM n
  WHERE i < 2000 OR (i >= $users / 2 AND i < $users / 2 + 30);
UPDATE subscriptions SET assigned = (SELECT COUNT(*) FROM assignments WHERE tenant_id = '$tenant' AND subscription_id = 'lit-2026' AND state = 'active')
  WHERE tenant_id = '$tenant' AND id = 'lit-2026';
COMMIT;
ANALYZE;
SQL
