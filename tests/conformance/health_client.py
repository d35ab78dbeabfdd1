"""The example's gRPC health service, asked by Python's grpcio-health-checking client: Check,
List (gRFC A90), Watch through a drain. Usage: grpc_health.py GRPC_ADDR HTTP_BASE SERVICE_PID."""
import json
import os
import signal
import sys
import threading
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

addr, base, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
S = health_pb2.HealthCheckResponse
name = lambda status: S.ServingStatus.Name(status)
failed = []


def expect(what, got, want):
    ok = got == want
    print(f"grpc health: {what}: {'ok' if ok else 'FAIL'} ({got}{'' if ok else f', expected {want}'})")
    if not ok:
        failed.append(what)


def report():
    try:
        with urllib.request.urlopen(f"{base}/readiness-checklist", timeout=5) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


channel = grpc.insecure_channel(addr)
# The gRPC listener is up once the channel connects (the HTTP one was polled by the caller).
grpc.channel_ready_future(channel).result(timeout=20)
stub = health_pb2_grpc.HealthStub(channel)
rep = report()
try:
    ready = urllib.request.urlopen(f"{base}/readyz", timeout=5).status == 200
except urllib.error.HTTPError:
    ready = False

# Check: the whole readiness as /readyz says it, one item as the report says it, NOT_FOUND.
whole = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status
expect('Check("") agrees with /readyz', name(whole), "SERVING" if ready else "NOT_SERVING")
failing = lambda i: i["status"] == "fail" or (rep["pending_blocks"] and i["status"] == "pending")
for item in rep["items"][:3] + [i for i in rep["items"] if i["status"] == "fail"][:2]:
    got = stub.Check(health_pb2.HealthCheckRequest(service=item["id"]), timeout=5).status
    expect(f"Check({item['id']!r}) ({item['status']})", name(got), "NOT_SERVING" if failing(item) else "SERVING")
try:
    stub.Check(health_pb2.HealthCheckRequest(service="no.such.item"), timeout=5)
    expect("Check(unknown)", "answered", "NOT_FOUND")
except grpc.RpcError as e:
    expect("Check(unknown)", e.code().name, "NOT_FOUND")

# List: every item and the whole readiness.
listed = stub.List(health_pb2.HealthListRequest(), timeout=5).statuses
want = sorted([""] + [i["id"] for i in rep["items"]])
expect(f"List names every item and \"\" ({len(want)} names)", sorted(listed) == want, True)
expect('List[""] agrees with Check("")', name(listed[""].status), name(whole))

# Watch: the current status at once; an unknown name SERVICE_UNKNOWN with the stream open;
# then SIGTERM: the drain turns the whole readiness NOT_SERVING at once.
seen, unknown = [], []
whole_stream = stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=30)
unknown_stream = stub.Watch(health_pb2.HealthCheckRequest(service="no.such.item"), timeout=30)
first = threading.Event()


def follow(stream, into, event=None):
    try:
        for msg in stream:
            into.append(name(msg.status))
            if event:
                event.set()
    except grpc.RpcError as e:
        into.append(f"ended: {e.code().name}")


t1 = threading.Thread(target=follow, args=(whole_stream, seen, first), daemon=True)
t2 = threading.Thread(target=follow, args=(unknown_stream, unknown), daemon=True)
t1.start(); t2.start()
first.wait(5)
expect("Watch(\"\") first message", seen[:1], [name(whole)])
# The drain is what is tested next: the instance must be serving before it.
expect("serving before the drain", name(whole), "SERVING")
os.kill(pid, signal.SIGTERM)
for _ in range(50):
    if "NOT_SERVING" in seen:
        break
    threading.Event().wait(0.1)
expect("Watch(\"\") through the drain", seen[:2], ["SERVING", "NOT_SERVING"])
expect("Watch(unknown) stays open with SERVICE_UNKNOWN", unknown[:1], ["SERVICE_UNKNOWN"])
expect("Watch(unknown) not ended during the drain", [u for u in unknown if u.startswith("ended")], [])
whole_stream.cancel(); unknown_stream.cancel()
sys.exit(1 if failed else 0)
