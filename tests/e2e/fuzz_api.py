#!/usr/bin/env python3
"""API fuzz: schemathesis against Zhimei's /openapi.json, as the demo platform admin.

Fails on any 5xx and on any response whose status code, content type or body does not
match the OpenAPI document. Operations that would log the fuzzer out or revoke its own
token are excluded (DELETE /api/v1/session, POST /api/v1/me/password,
DELETE /api/v1/tokens/{tokenID}).

Environment:
  ZHIMEI_E2E_BASE_URL   server to fuzz (default http://localhost:18080)
  ZHIMEI_FUZZ_MAX_EXAMPLES  examples per operation (default 40)
  ZHIMEI_FUZZ_MAX_TIME      overall time budget in seconds (default 300)
  ZHIMEI_FUZZ_SEED          fixed seed for a reproducible run (optional)
  ZHIMEI_FUZZ_REPORT_DIR    where the JUnit report goes (default: a temp dir)
Prints a closing line "fuzz: N passed, N failed" (one test per API operation).
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import requests

BASE = os.environ.get("ZHIMEI_E2E_BASE_URL", "http://localhost:18080").rstrip("/")
USER = os.environ.get("ZHIMEI_E2E_ADMIN", "admin")
PASSWORD = os.environ.get("ZHIMEI_E2E_PASSWORD", "Zhimei@2026")

# Operations that end the fuzzer's own session or token: never fuzzed.
EXCLUDED = ["delete_session", "post_me_password", "delete_tokens_by_tokenID"]
CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
])


def api_token() -> str:
    """Logs in with a session cookie, then creates a bearer token with every scope."""
    s = requests.Session()
    r = s.post(f"{BASE}/api/v1/session", json={"username": USER, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    csrf = r.json()["csrf_token"]
    # The session cookie is `Secure`; requests will not send it over plain http, so pass it by hand.
    cookie = r.cookies.get("zm_session") or s.cookies.get("zm_session")
    if not cookie:
        raise SystemExit("fuzz: login did not set zm_session")
    r = requests.post(
        f"{BASE}/api/v1/tokens",
        json={"name": "fuzz", "scopes": ["read", "write", "admin"]},
        headers={"X-CSRF-Token": csrf, "Cookie": f"zm_session={cookie}"},
        timeout=30,
    )
    if r.status_code not in (200, 201):
        raise SystemExit(f"fuzz: creating a token failed: HTTP {r.status_code} {r.text[:300]}")
    return r.json()["token"]


def count_junit(path: str) -> tuple[int, int]:
    """(passed, failed) operations from schemathesis' JUnit report."""
    root = ET.parse(path).getroot()
    passed = failed = 0
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is None:
            passed += 1
    return passed, failed


def main() -> int:
    token = api_token()
    report_dir = os.environ.get("ZHIMEI_FUZZ_REPORT_DIR") or tempfile.mkdtemp(prefix="zhimei-fuzz-")
    os.makedirs(report_dir, exist_ok=True)
    junit = os.path.join(report_dir, "junit.xml")
    cmd = [
        "schemathesis", "run", f"{BASE}/openapi.json",
        "--url", BASE,
        "--checks", CHECKS,
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", os.environ.get("ZHIMEI_FUZZ_MAX_EXAMPLES", "40"),
        "--max-time", os.environ.get("ZHIMEI_FUZZ_MAX_TIME", "300"),
        "--phases", os.environ.get("ZHIMEI_FUZZ_PHASES", "examples,coverage,fuzzing"),
        "--workers", "1",
        "--request-timeout", "20",
        "--suppress-health-check", "all",
        "--continue-on-failure",
        "--report", "junit",
        "--report-junit-path", junit,
        "--output-truncate", "true",
        "--warnings", "off",
    ]
    for op in EXCLUDED:
        cmd += ["--exclude-operation-id", op]
    if os.environ.get("ZHIMEI_FUZZ_SEED"):
        cmd += ["--seed", os.environ["ZHIMEI_FUZZ_SEED"]]
    printable = [c if not c.startswith("Authorization:") else "Authorization: Bearer ***" for c in cmd]
    print("fuzz: " + " ".join(printable), flush=True)
    rc = subprocess.call(cmd, cwd=report_dir)  # schemathesis keeps its cache in ./.schemathesis
    passed = failed = 0
    if os.path.exists(junit):
        passed, failed = count_junit(junit)
    if rc != 0 and failed == 0:
        failed = 1  # schemathesis itself failed (schema error, crash): count it
    print(f"fuzz: {passed} passed, {failed} failed", flush=True)
    return 0 if rc == 0 and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
