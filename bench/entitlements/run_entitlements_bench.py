#!/usr/bin/env python3
"""bench/entitlements/run_entitlements_bench.py — issue 13's benchmarks.

From the repository root after `scripts/build.sh default allot
trivial_httplib_server webhook_sink`:

 1. GET /entitlements/v1/check (an app token; the user holds the license)
    against a trivial cpp-httplib handler answering a body of the same size
    from a pool of the same size (32), alternating A, B, A, B... ROUNDS times
    in one run with wrk (keep-alive, CONNS connections, --latency), with
    allot's own GET /healthz (no token, no database) as a third for the
    transport's share of the tail. Prints every round (requests/s, p50, p99,
    server CPU per request from /proc/PID/stat), the medians and the ratio.
 2. Webhook delivery to a local receiver (build/bench/webhooks/webhook_sink,
    plain HTTP on loopback with webhooks_allow_private_networks): a burst of
    BURST license.assigned events committed in one transaction (an atomic
    bulk assign; events/s from the first event's occurred_at to the last
    arrival; lag from occurred_at, written in the change's transaction, to
    arrival), BURST_ROUNDS times, each after the same bulk assign with no
    webhook (the cost of writing the outbox in the change's transaction);
    then, BURST_ROUNDS times, TRICKLE single assigns one after the other
    without and with a webhook (what a request pays; lag p50/p99 when the
    worker keeps up).

Environment: ALLOT (default ./build/allot), BUILD (./build), ROUNDS (5),
DURATION (10 s), CONNS (16), THREADS (2), BURST (2000), BURST_ROUNDS (3),
TRICKLE (300), PARTS ("12").
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ALLOT = os.environ.get("ALLOT", "./build/allot")
BUILD = os.environ.get("BUILD", os.path.dirname(ALLOT) or ".")
ROUNDS = int(os.environ.get("ROUNDS", "5"))
DURATION = int(os.environ.get("DURATION", "10"))
CONNS = int(os.environ.get("CONNS", "16"))
THREADS = int(os.environ.get("THREADS", "2"))
BURST = int(os.environ.get("BURST", "2000"))
BURST_ROUNDS = int(os.environ.get("BURST_ROUNDS", "3"))
TRICKLE = int(os.environ.get("TRICKLE", "300"))
PARTS = os.environ.get("PARTS", "12")
# Extra `allot serve` flags for the check's server (e.g. "--io-threads 8").
SERVE_FLAGS = os.environ.get("SERVE_FLAGS", "").split()
CLK_TCK = os.sysconf("SC_CLK_TCK")

work = tempfile.mkdtemp(prefix="allot-ent-bench-")
procs = []


def start(args, log):
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    procs.append(p)
    return p


def wait_port(port):
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except Exception:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on {port}")


def call(port, method, path, token, body=None, content_type="application/json"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=120) as r:
        text = r.read()
        return json.loads(text) if text else None


def allot(name, port, *extra):
    d = os.path.join(work, name)
    tokens = json.loads(subprocess.check_output([ALLOT, "init", "--data-dir", d]))
    p = start([ALLOT, "serve", "--data-dir", d, "--listen", f"127.0.0.1:{port}",
               "--insecure-http", *extra], os.path.join(work, name + ".log"))
    wait_port(port)
    return p, tokens


def user(port, scim, name):
    return call(port, "POST", "/scim/v2/Users", scim,
                {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name},
                "application/scim+json")["id"]


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(url, token, pid):
    t0 = cpu_ticks(pid)
    out = subprocess.run(["wrk", f"-t{THREADS}", f"-c{CONNS}", f"-d{DURATION}s", "--latency",
                          "-H", f"Authorization: Bearer {token}", url],
                         capture_output=True, text=True).stdout
    t1 = cpu_ticks(pid)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = " ".join(l.strip() for l in out.splitlines() if "Non-2xx" in l or "Socket errors" in l)
    cpu_us = (t1 - t0) * 1e6 / CLK_TCK / max(count, 1)
    return rate, p50, p99, cpu_us, errors


def part1():
    print(f"== GET /entitlements/v1/check vs trivial cpp-httplib: {ROUNDS} rounds, "
          f"wrk -t{THREADS} -c{CONNS} -d{DURATION}s --latency", flush=True)
    p, tokens = allot("check", 18721, *SERVE_FLAGS)
    admin, scim = tokens["admin_token"], tokens["scim_token"]
    call(18721, "POST", "/admin/v1/products", admin, {"id": "lit", "name": "Literacy"})
    call(18721, "POST", "/admin/v1/subscriptions", admin,
         {"id": "lit-2026", "product_id": "lit", "seats": 10, "ends_at": "2099-01-01T00:00:00Z"})
    uid = user(18721, scim, "bench.user@example.com")
    call(18721, "PUT", f"/admin/v1/users/{uid}/licenses/lit-2026", admin, {})
    app = call(18721, "POST", "/admin/v1/app-tokens", admin, {"name": "bench"})["token"]
    url = "http://127.0.0.1:18721/entitlements/v1/check?user=bench.user%40example.com&product=lit"
    answer = urllib.request.urlopen(urllib.request.Request(
        url, headers={"Authorization": f"Bearer {app}"})).read()
    print(f"answer ({len(answer)} bytes): {answer.decode()}")
    assert json.loads(answer)["entitled"] is True
    trivial = start([os.path.join(BUILD, "bench/http/trivial_httplib_server"), "18722",
                     str(len(answer)), "32"], os.path.join(work, "trivial.log"))
    wait_port(18722)
    # allot-healthz: allot's GET /healthz (no token, no database, answered
    # on the I/O thread): what the transport alone gives, for the tail.
    results = {"allot": [], "trivial-httplib": [], "allot-healthz": []}
    for r in range(ROUNDS):
        for name, u, token, pid in (("allot", url, app, p.pid),
                                    ("trivial-httplib",
                                     "http://127.0.0.1:18722/entitlements/v1/check?user=x&product=lit",
                                     "none", trivial.pid),
                                    ("allot-healthz", "http://127.0.0.1:18721/healthz", "none",
                                     p.pid)):
            rate, p50, p99, cpu, errors = wrk(u, token, pid)
            results[name].append((rate, p50, p99, cpu))
            print(f"round {r + 1} {name:16} {rate:9.0f} req/s  p50 {p50:6.2f} ms  "
                  f"p99 {p99:6.2f} ms  {cpu:6.1f} us CPU/request {errors}", flush=True)
    med = {}
    for name, rows in results.items():
        med[name] = [statistics.median(x[i] for x in rows) for i in range(4)]
        print(f"{name:16} median {med[name][0]:9.0f} req/s  p50 {med[name][1]:6.2f} ms  "
              f"p99 {med[name][2]:6.2f} ms  {med[name][3]:6.1f} us CPU/request")
    ratios = [a[0] / b[0] for a, b in zip(results["allot"], results["trivial-httplib"])]
    print(f"allot / trivial-httplib: ratio of medians {med['allot'][0] / med['trivial-httplib'][0]:.2f}, "
          f"median of round ratios {statistics.median(ratios):.2f} "
          f"(rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
    p.terminate()
    trivial.terminate()


def sink(count, name):
    out = os.path.join(work, name + ".txt")
    s = start([os.path.join(BUILD, "bench/webhooks/webhook_sink"), "18724", str(count), out, "600"],
              os.path.join(work, name + ".log"))
    time.sleep(0.3)
    return s, out


def report(name, out, count, committed_ms=None, with_lags=False):
    """Events/s and lags. With committed_ms (when the one transaction that
    wrote every event had committed: its answer arrived), both are from the
    commit: the rate is the worker's alone."""
    rows = [l.split() for l in open(out)]
    occurred = [int(r[1]) for r in rows]
    received = [int(r[2]) for r in rows]
    attempts = sum(int(r[3]) for r in rows)
    start = [committed_ms] * len(rows) if committed_ms else occurred
    lags = sorted(max(0, b - a) for a, b in zip(start, received))
    span = (max(received) - min(start)) / 1000
    q = statistics.quantiles(lags, n=100)
    since = "commit" if committed_ms else "occurred_at"
    print(f"{name}: {len(rows)}/{count} events, {span:.2f} s from the first {since} to the last "
          f"arrival = {len(rows) / span:.0f} events/s; lag {since} → arrival p50 {q[49]:.0f} ms, "
          f"p99 {q[98]:.0f} ms, max {lags[-1]} ms; {attempts} requests", flush=True)
    if with_lags:
        return len(rows) / span, q[49], q[98]
    return len(rows) / span


def bulk_assign(admin, users, sub):
    """Seconds an atomic bulk assign (one transaction) takes to answer, and
    when it answered (ms): the events it wrote are committed by then."""
    t = time.time()
    call(18723, "POST", "/admin/v1/licenses/bulk", admin,
         {"action": "assign", "user_ids": users, "subscription_id": sub, "atomic": True})
    return time.time() - t, int(time.time() * 1000)


def part2():
    print(f"== webhook delivery to a local receiver: {BURST_ROUNDS} rounds of a burst of {BURST} "
          f"events in one transaction (and the same bulk assign without a webhook first), "
          f"then {BURST_ROUNDS} rounds of {TRICKLE} single assigns without and with a webhook",
          flush=True)
    p, tokens = allot("hooks", 18723, "--webhooks-allow-private-networks")
    admin, scim = tokens["admin_token"], tokens["scim_token"]
    call(18723, "POST", "/admin/v1/products", admin, {"id": "lit", "name": "Literacy"})
    for r in range(BURST_ROUNDS):
        for kind in ("plain", "hooked"):
            call(18723, "POST", "/admin/v1/subscriptions", admin,
                 {"id": f"{kind}-{r}", "product_id": "lit", "seats": BURST})
    for r in range(BURST_ROUNDS):
        for sub in (f"trickle-plain-{r}", f"trickle-{r}"):
            call(18723, "POST", "/admin/v1/subscriptions", admin,
                 {"id": sub, "product_id": "lit", "seats": TRICKLE})
    t = time.time()
    users = [user(18723, scim, f"u{i}@example.com") for i in range(max(BURST, TRICKLE))]
    print(f"{len(users)} users in {time.time() - t:.1f} s", flush=True)
    plain_s, hooked_s, rates = [], [], []
    webhook = None
    for r in range(BURST_ROUNDS):
        if webhook:
            call(18723, "DELETE", f"/admin/v1/webhooks/{webhook}", admin)
        seconds, _ = bulk_assign(admin, users[:BURST], f"plain-{r}")
        plain_s.append(seconds)
        webhook = call(18723, "POST", "/admin/v1/webhooks", admin,
                       {"url": "http://127.0.0.1:18724/hook",
                        "events": ["license.assigned"]})["webhook"]["id"]
        s, out = sink(BURST, f"burst-{r}")
        seconds, committed_ms = bulk_assign(admin, users[:BURST], f"hooked-{r}")
        hooked_s.append(seconds)
        s.wait()
        print(f"round {r + 1}: bulk assign of {BURST} without a webhook {plain_s[-1]:.2f} s, "
              f"with one (outbox written) {hooked_s[-1]:.2f} s", flush=True)
        rates.append(report(f"round {r + 1} burst", out, BURST, committed_ms))
    print(f"median bulk assign: without a webhook {statistics.median(plain_s):.2f} s, with "
          f"{statistics.median(hooked_s):.2f} s (x{statistics.median(hooked_s) / statistics.median(plain_s):.2f}); "
          f"median delivery rate after commit {statistics.median(rates):.0f} events/s")

    # Single assigns one after the other, without then with a webhook,
    # alternating: what the outbox and the senders' claims cost a request.
    plain_ms, hooked_ms, lag50, lag99 = [], [], [], []
    for r in range(BURST_ROUNDS):
        call(18723, "DELETE", f"/admin/v1/webhooks/{webhook}", admin)
        t = time.time()
        for u in users[:TRICKLE]:
            call(18723, "PUT", f"/admin/v1/users/{u}/licenses/trickle-plain-{r}", admin, {})
        plain_ms.append((time.time() - t) / TRICKLE * 1000)
        webhook = call(18723, "POST", "/admin/v1/webhooks", admin,
                       {"url": "http://127.0.0.1:18724/hook",
                        "events": ["license.assigned"]})["webhook"]["id"]
        s, out = sink(TRICKLE, f"trickle-{r}")
        t = time.time()
        for u in users[:TRICKLE]:
            call(18723, "PUT", f"/admin/v1/users/{u}/licenses/trickle-{r}", admin, {})
        hooked_ms.append((time.time() - t) / TRICKLE * 1000)
        s.wait()
        print(f"round {r + 1}: {TRICKLE} single assigns one after the other: "
              f"{plain_ms[-1]:.2f} ms each without a webhook, {hooked_ms[-1]:.2f} ms with one",
              flush=True)
        # Each PUT is its own short transaction: occurred_at is within a
        # millisecond or two of its commit.
        _, q50, q99 = report(f"round {r + 1} trickle", out, TRICKLE, with_lags=True)
        lag50.append(q50)
        lag99.append(q99)
    print(f"median single assign: {statistics.median(plain_ms):.2f} ms without a webhook, "
          f"{statistics.median(hooked_ms):.2f} ms with one "
          f"(x{statistics.median(hooked_ms) / statistics.median(plain_ms):.2f}); trickle lag "
          f"occurred_at → arrival: median p50 {statistics.median(lag50):.0f} ms, median p99 "
          f"{statistics.median(lag99):.0f} ms")
    p.terminate()


try:
    if "1" in PARTS:
        part1()
    if "2" in PARTS:
        part2()
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
    shutil.rmtree(work, ignore_errors=True)
