#!/usr/bin/env python3
"""Load test for `mynumber-photo serve` (standard library only).

Starts target/release/mynumber-photo serve on a free loopback port (or uses --url, which must
point at 127.0.0.1), waits for /healthz, then sends --requests uploads of one photo to
POST /api/v1/vet from --concurrency threads. A 503 is retried after its Retry-After header
(that is the service shedding load, as designed); every attempt's status is counted.

Reports requests/s, p50/p90/p99 latency (from the first attempt to the final answer, so retries
count), the latency of single attempts that were answered 200, status counts, verdicts, and
the server's peak resident memory (VmHWM from /proc/PID/status) when the PID is known.

Bounded: at most --requests uploads, each retried at most --max-retries times, and the whole
run stops after --deadline seconds. Only 127.0.0.1 is ever contacted.

    python3 scripts/load.py --photo ../shared/photos/dev/london_002_neutral.jpg
    python3 scripts/load.py --photo target/bench-inputs/london_002_4000x3000_q90.jpg -n 200 -c 16
    python3 scripts/load.py --url http://127.0.0.1:8080 --pid 1234 --photo p.jpg

With --endpoint applications, each upload is a whole booth application (POST /api/v1/applications
with a fresh form ID and Idempotency-Key): vetting plus the durable write (photo blobs fsynced,
then the database commit). The server gets a fresh data folder and a booth token; SQLite by
default, or --database-url postgres://... (an empty database).

    python3 scripts/load.py --endpoint applications --photo p.jpg -n 200 -c 16
    python3 scripts/load.py --endpoint applications --database-url postgres://u:p@127.0.0.1/db --photo p.jpg
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import tempfile
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Never go through a proxy, whatever the environment says: loopback only.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_loopback(url):
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http" or u.hostname != "127.0.0.1":
        sys.exit(f"load.py: refusing {url!r}: only http://127.0.0.1:PORT is allowed")


def proc_status(pid):
    """VmRSS and VmHWM in MiB from /proc/PID/status (None when unreadable)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0]) / 1024.0
    except OSError:
        return None
    return out


def multipart(field, filename, data, content_type):
    boundary = "----mnp-load-" + uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + data + tail, f"multipart/form-data; boundary={boundary}"


def application_form(form_id, photo, ctype):
    """A booth's multipart form: the items and the photo."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in [("form_id", form_id), ("date_of_birth", "1985-05-05"),
                        ("certificates", "yes"), ("braille", "no")]:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode())
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p\"\r\n"
                 f"Content-Type: {ctype}\r\n\r\n".encode() + photo + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def get(url, timeout=5):
    with OPENER.open(url, timeout=timeout) as r:
        return r.status, r.read()


def wait_healthy(base, proc, timeout):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            sys.exit(f"load.py: the server exited with {proc.returncode} before /healthz answered")
        try:
            status, _ = get(base + "/healthz", timeout=2)
            if status == 200:
                return time.monotonic() - t0
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    sys.exit(f"load.py: /healthz did not answer within {timeout} s")


def percentile(sorted_xs, q):
    if not sorted_xs:
        return float("nan")
    k = (len(sorted_xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (k - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photo", required=True, help="the file to upload")
    ap.add_argument("-n", "--requests", type=int, default=200)
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("--url", help="an already running server, http://127.0.0.1:PORT (not started here)")
    ap.add_argument("--pid", type=int, help="with --url: the server's PID, for its peak RSS")
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "mynumber-photo"))
    ap.add_argument("--max-inflight", type=int, default=None, help="serve --max-inflight (server default if unset)")
    ap.add_argument("--workers", type=int, default=None, help="serve --workers (server default if unset)")
    ap.add_argument("--deadline", type=float, default=600.0, help="stop sending after this many seconds")
    ap.add_argument("--request-timeout", type=float, default=120.0)
    ap.add_argument("--max-retries", type=int, default=100, help="503 retries per upload")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--endpoint", choices=["vet", "applications"], default="vet")
    ap.add_argument("--database-url", help="with --endpoint applications: PostgreSQL instead of SQLite")
    ap.add_argument("--binary-profile-note", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.token = None
    if args.url:
        check_loopback(args.url)

    with open(args.photo, "rb") as f:
        photo = f.read()
    ext = os.path.splitext(args.photo)[1].lower()
    ctype = {".png": "image/png", ".webp": "image/webp"}.get(ext, "image/jpeg")

    proc = None
    pid = args.pid
    log = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        if not os.access(args.binary, os.X_OK):
            sys.exit(f"load.py: {args.binary} not found: cargo build --release first")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd = [args.binary, "serve", "--listen", f"127.0.0.1:{port}"]
        if args.endpoint == "applications":
            data = tempfile.mkdtemp(prefix="mnp-load-")
            store = ["--data-dir", data]
            if args.database_url:
                store += ["--database-url", args.database_url]
            out = subprocess.run([args.binary, "admin", *store, "booth", "add", "load"],
                                 cwd=ROOT, capture_output=True, check=True)
            args.token = out.stdout.decode().strip()
            cmd += store
        if args.max_inflight is not None:
            cmd += ["--max-inflight", str(args.max_inflight)]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        log = open(os.path.join(ROOT, "target", "load-server.log"), "wb")
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        pid = proc.pid
    try:
        startup = wait_healthy(base, proc, 120)
        idle = proc_status(pid) if pid else None
        summary = run(args, base, photo, ctype)
        summary["startup_s"] = round(startup, 2)
        if pid:
            end = proc_status(pid)
            summary["server_pid"] = pid
            summary["rss_idle_mib"] = round(idle["VmRSS"], 1) if idle else None
            summary["rss_peak_mib"] = round(end["VmHWM"], 1) if end else None
        if proc is not None:
            summary["server_cmd"] = " ".join(cmd)
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if log:
            log.close()

    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        s = summary
        print(f"photo          {s['photo']} ({s['photo_bytes']} bytes)")
        print(f"endpoint       {s['endpoint']}" + (f" on {s['database']}" if s['database'] else ""))
        print(f"uploads        {s['completed']}/{s['requests']} answered, concurrency {s['concurrency']}, "
              f"{s['elapsed_s']} s, {s['requests_per_s']} req/s")
        print(f"latency ms     p50 {s['latency_ms']['p50']}  p90 {s['latency_ms']['p90']}  "
              f"p99 {s['latency_ms']['p99']}  max {s['latency_ms']['max']}  (incl. 503 retries)")
        print(f"200 attempt ms p50 {s['ok_attempt_ms']['p50']}  p99 {s['ok_attempt_ms']['p99']}")
        print(f"statuses       {s['attempt_statuses']} (every attempt); final {s['final_statuses']}")
        print(f"verdicts       {s['verdicts']}")
        if s.get("errors"):
            print(f"errors         {s['errors']}")
        if "rss_peak_mib" in s:
            print(f"server RSS     idle {s['rss_idle_mib']} MiB, peak (VmHWM) {s['rss_peak_mib']} MiB")
        print(f"startup        {s['startup_s']} s to /healthz")
    return 0


def run(args, base, photo, ctype):
    url = base + ("/api/v1/vet" if args.endpoint == "vet" else "/api/v1/applications")
    counter = [0]
    lock = threading.Lock()
    next_i = [0]
    latencies, ok_attempts = [], []
    attempt_statuses, final_statuses, verdicts, errors = {}, {}, {}, {}
    t_start = time.monotonic()
    stop_at = t_start + args.deadline

    def bump(d, k):
        d[k] = d.get(k, 0) + 1

    def one_upload():
        headers = {}
        if args.endpoint == "vet":
            body, content_type = multipart("photo", os.path.basename(args.photo), photo, ctype)
        else:
            with lock:
                counter[0] += 1
                n = counter[0]
            form_id = "%023d" % (10**22 + int(time.time() * 1000) % 10**9 * 1000 + n)
            body, content_type = application_form(form_id, photo, ctype)
            headers = {"Authorization": f"Bearer {args.token}", "Idempotency-Key": f"load-{form_id}"}
        t0 = time.monotonic()
        for _ in range(args.max_retries + 1):
            if time.monotonic() > stop_at:
                return "deadline", None, None
            req = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": content_type, **headers})
            ta = time.monotonic()
            try:
                with OPENER.open(req, timeout=args.request_timeout) as r:
                    data = r.read()
                    status = r.status
                    retry_after = None
            except urllib.error.HTTPError as e:
                data = e.read()
                status = e.code
                retry_after = e.headers.get("Retry-After")
            except (urllib.error.URLError, OSError) as e:
                return "error:" + type(getattr(e, "reason", e)).__name__, None, None
            with lock:
                bump(attempt_statuses, status)
                if status in (200, 201):
                    ok_attempts.append(time.monotonic() - ta)
            if status == 503:
                try:
                    wait = float(retry_after) if retry_after is not None else 1.0
                except ValueError:
                    wait = 1.0
                time.sleep(min(max(wait, 0.0), 30.0))
                continue
            verdict = None
            if status in (200, 201):
                try:
                    d = json.loads(data)
                    verdict = d.get("verdict") or d.get("state")
                except ValueError:
                    verdict = "unparsable"
            return status, time.monotonic() - t0, verdict
        return "retries_exhausted", None, None

    def worker():
        while True:
            with lock:
                if next_i[0] >= args.requests or time.monotonic() > stop_at:
                    return
                next_i[0] += 1
            status, latency, verdict = one_upload()
            with lock:
                if isinstance(status, int):
                    bump(final_statuses, status)
                    latencies.append(latency)
                    if verdict is not None:
                        bump(verdicts, verdict)
                else:
                    bump(errors, status)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, stop_at - time.monotonic()) + args.request_timeout + 5)
    elapsed = time.monotonic() - t_start
    lat = sorted(latencies)
    oks = sorted(ok_attempts)
    ms = lambda x: round(x * 1000, 1)
    return {
        "photo": os.path.relpath(args.photo, ROOT) if os.path.isabs(args.photo) else args.photo,
        "photo_bytes": len(photo),
        "endpoint": args.endpoint,
        "database": ("postgres" if args.database_url else "sqlite") if args.endpoint == "applications" else None,
        "requests": args.requests,
        "concurrency": args.concurrency,
        "completed": len(latencies),
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 2) if elapsed > 0 else None,
        "latency_ms": {
            "p50": ms(percentile(lat, 0.50)),
            "p90": ms(percentile(lat, 0.90)),
            "p99": ms(percentile(lat, 0.99)),
            "max": ms(lat[-1]) if lat else None,
        },
        "ok_attempt_ms": {"p50": ms(percentile(oks, 0.50)), "p99": ms(percentile(oks, 0.99))},
        "attempt_statuses": {str(k): v for k, v in sorted(attempt_statuses.items())},
        "final_statuses": {str(k): v for k, v in sorted(final_statuses.items())},
        "verdicts": verdicts,
        "errors": errors,
    }


if __name__ == "__main__":
    sys.exit(main())
