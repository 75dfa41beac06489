#!/usr/bin/env python3
"""bench/licensing/settle_bench.py — licensing after a SCIM change, through
the real `allot serve` (plugins in plugin host processes, SQLite by default):

  1. "a moment": a user joins a licensed group by one SCIM PATCH; how long
     after the PATCH's answer the licensing outcome is applied (GET
     /admin/v1/reconcile polled every millisecond until "settled"), over
     many joins: median, p95, max;
  2. 10,000 users join a licensed group in one PATCH: the PATCH's answer,
     then the time until all of them hold their seat.

Prints one JSON line per phase. A benchmark, not a test.
  usage: settle_bench.py [--allot build/allot] [--plugins build/plugins]
                         [--users 10000] [--joins 200] [--db URL]
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)

    def call(self, method, path, token, body=None, scim=False):
        headers = {"Authorization": "Bearer " + token}
        if body is not None:
            headers["Content-Type"] = "application/scim+json" if scim else "application/json"
            body = json.dumps(body)
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, (json.loads(data) if data else None)


def wait_settled(c, admin, poll=0.001, limit=120.0):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        status, body = c.call("GET", "/admin/v1/reconcile", admin)
        if status == 200 and body["settled"]:
            return time.monotonic()
        time.sleep(poll)
    raise RuntimeError("not settled within %s s" % limit)


def cpu_seconds(pid):
    """User + system CPU seconds of `pid` and its live children (the plugin
    hosts), from /proc: the work, whatever the machine's load."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state: ppid is fields[1], utime/stime 11/12.
        if int(entry) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def patch_add(c, scim, gid, ids):
    ops = [{"op": "add", "path": "members", "value": [{"value": i} for i in ids]}]
    return c.call("PATCH", "/scim/v2/Groups/" + gid, scim,
                  {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops},
                  scim=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--allot", default="build/allot")
    ap.add_argument("--plugins", default="build/plugins")
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--joins", type=int, default=200)
    ap.add_argument("--db", default="")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="allot-settle-")
    data = os.path.join(work, "data")
    policies = os.path.join(work, "policies")
    os.makedirs(policies)
    with open(os.path.join(policies, "teachers.json"), "w") as f:
        json.dump({"name": "teachers", "plugin": "group_map", "priority": 10,
                   "config": {"rules": [{"group": "Teachers", "subscription": "lit"},
                                        {"group": "Joiners", "subscription": "lit"}]}}, f)
    db = ["--db", args.db] if args.db else []
    tokens = json.loads(subprocess.check_output([args.allot, "init", "--data-dir", data] + db))
    admin, scim = tokens["admin_token"], tokens["scim_token"]
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([args.allot, "serve", "--data-dir", data, "--insecure-http",
                               "--listen", "127.0.0.1:0", "--policies", policies,
                               "--plugins", args.plugins] + db, stderr=log)
    try:
        port = None
        for _ in range(300):
            time.sleep(0.05)
            for line in open(os.path.join(work, "serve.log")):
                if '"msg":"listening"' in line:
                    port = json.loads(line)["port"]
            if port:
                break
        c = Client(port)
        c.call("POST", "/admin/v1/products", admin, {"id": "p-lit", "name": "Lit"})
        c.call("POST", "/admin/v1/subscriptions", admin,
               {"id": "lit", "product_id": "p-lit", "seats": args.users + args.joins})
        ids = []
        for i in range(args.users + args.joins):
            status, body = c.call("POST", "/scim/v2/Users", scim,
                                  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                   "userName": "u%06d@example.org" % i}, scim=True)
            assert status == 201, body
            ids.append(body["id"])
        groups = {}
        for name in ("Joiners", "Teachers"):
            status, body = c.call("POST", "/scim/v2/Groups", scim,
                                  {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                   "displayName": name}, scim=True)
            assert status == 201, body
            groups[name] = body["id"]
        wait_settled(c, admin)

        # 1. One join at a time: PATCH answered -> outcome applied.
        lags = []
        for uid in ids[args.users:]:
            status, _ = patch_add(c, scim, groups["Joiners"], [uid])
            answered = time.monotonic()
            assert status in (200, 204), status
            lags.append((wait_settled(c, admin) - answered) * 1000)
        lags.sort()
        print(json.dumps({"phase": "one_join_settle_ms", "joins": len(lags),
                          "load_average": os.getloadavg()[0],
                          "median": round(statistics.median(lags), 2),
                          "p95": round(lags[int(len(lags) * 0.95) - 1], 2),
                          "max": round(lags[-1], 2)}), flush=True)

        # 2. 10,000 users in one PATCH.
        start = time.monotonic()
        cpu_start = cpu_seconds(server.pid)
        status, _ = patch_add(c, scim, groups["Teachers"], ids[:args.users])
        answered = time.monotonic()
        assert status in (200, 204), status
        settled = wait_settled(c, admin, poll=0.005)
        cpu = cpu_seconds(server.pid) - cpu_start
        _, sub = c.call("GET", "/admin/v1/subscriptions/lit", admin)
        print(json.dumps({"phase": "patch_%d_members" % args.users,
                          "patch_answer_s": round(answered - start, 3),
                          "settled_after_answer_s": round(settled - answered, 3),
                          "total_s": round(settled - start, 3),
                          "cpu_s": round(cpu, 3),
                          "load_average": os.getloadavg()[0],
                          "assigned": sub["assigned"]}), flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
