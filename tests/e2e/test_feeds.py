"""Acceptance test of issue 7's feeds and content API against the running e2e server (no browser needed):

  1. a story is written, approved (the 韶山 tenant is set to one review stage so the chief editor signs it) and published
     to every channel through the API;
  2. the site's RSS 2.0 and Atom feeds, and the per-category feeds, parse cleanly in feedparser (no bozo), in UTF-8,
     with the story's stable GUID (urn:uuid:<story id>), correct dates and the title escaped and restored exactly;
  3. a correction shows in the feed; a kill removes the item from the feeds and the content API answers 410 with a tombstone;
  4. the content API honours ETag / If-None-Match with a 304.

Needs the PyPI package `feedparser`. Run:
    ZHIMEI_E2E_BASE_URL=http://localhost:18080 python3 -m pytest tests/e2e/test_feeds.py
"""
import os
import time
import uuid

import feedparser
import pytest
import requests

PASSWORD = os.environ.get("ZHIMEI_E2E_PASSWORD", "Zhimei@2026")
RUN = uuid.uuid4().hex[:6]
TITLE = f"韶山 <灯会> & “游客” 创新高 {RUN}"
CATEGORY = f"文旅{RUN}"
TENANT = "shaoshan"
STATE = {}


@pytest.fixture(scope="module")
def base():
    return os.environ.get("ZHIMEI_E2E_BASE_URL", "http://localhost:18080").rstrip("/")


class Api:
    """A signed-in API client (session cookie + CSRF token)."""

    def __init__(self, base_url, username):
        self.base = base_url
        r = requests.post(f"{base_url}/api/v1/session", json={"username": username, "password": PASSWORD}, timeout=30)
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]
        self.cookie = r.cookies.get("zm_session")
        self.tenant_id = r.json()["active_tenant_id"]

    def call(self, method, path, body=None, expect=(200, 201, 202, 204)):
        headers = {"Cookie": f"zm_session={self.cookie}", "X-CSRF-Token": self.csrf, "Accept": "application/json"}
        r = requests.request(method, self.base + path, json=body, headers=headers, timeout=60)
        assert r.status_code in expect, f"{method} {path}: {r.status_code} {r.text[:400]}"
        return r.json() if r.content else {}


def feed(base, path):
    r = requests.get(base + path, timeout=30)
    assert r.status_code == 200, f"{path}: {r.status_code}"
    assert "charset=utf-8" in r.headers.get("Content-Type", "").lower()
    assert r.headers.get("Content-Security-Policy")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    assert parsed.encoding.lower() == "utf-8"
    return parsed


def test_publish_an_approved_story(base):
    admin, reporter, chief = Api(base, f"{TENANT}-admin"), Api(base, f"{TENANT}-reporter"), Api(base, f"{TENANT}-chief")
    admin.call("PUT", f"/api/v1/review/tenants/{admin.tenant_id}/config",
               {"stages": ["终审"], "stage_permissions": ["review.final"], "distinct_signers": True})
    story = reporter.call("POST", "/api/v1/stories", {
        "headline": TITLE, "lead": "元宵灯会吸引游客。", "tags": ["灯会"], "categories": [CATEGORY],
        "body": [{"type": "paragraph", "spans": [{"text": "2024年游客增长3.5%。"}]}],
    })
    sid = story["id"]
    reporter.call("POST", f"/api/v1/review/stories/{sid}/submit", {})
    chief.call("POST", f"/api/v1/review/stories/{sid}/approve", {"stage_index": 0})
    pubs = chief.call("POST", f"/api/v1/publishing/stories/{sid}/publish", {})
    assert {p["channel"] for p in pubs} >= {"website", "app", "rss", "atom", "ninjs2", "ninjs3"}
    STATE.update(id=sid.lower(), chief=chief)


@pytest.mark.parametrize("path", ["/feed.rss", "/feed.atom", "/categories/{cat}/feed.rss", "/categories/{cat}/feed.atom"])
def test_feeds_parse_in_feedparser(base, path):
    sid = STATE["id"]
    parsed = feed(base, f"/site/{TENANT}" + path.format(cat=requests.utils.quote(CATEGORY)))
    entries = [e for e in parsed.entries if e.get("id") == f"urn:uuid:{sid}"]
    assert len(entries) == 1, [e.get("id") for e in parsed.entries]
    entry = entries[0]
    assert entry.title == TITLE
    assert entry.link.endswith(f"/site/{TENANT}/articles/{sid}")
    assert entry.published_parsed is not None
    assert abs(time.mktime(entry.published_parsed) - time.mktime(time.gmtime())) < 3600
    if path.endswith("atom"):
        assert entry.updated_parsed is not None
        assert parsed.version == "atom10"
    else:
        assert parsed.version == "rss20"


def test_correction_kill_and_content_api(base):
    sid, chief = STATE["id"], STATE["chief"]
    item = requests.get(f"{base}/api/v1/public/{TENANT}/items/{sid}", timeout=30)
    assert item.status_code == 200 and item.json()["headline"] == TITLE
    etag = item.headers["ETag"]
    assert requests.get(f"{base}/api/v1/public/{TENANT}/items/{sid}", headers={"If-None-Match": etag}, timeout=30).status_code == 304
    chief.call("POST", f"/api/v1/publishing/stories/{sid}/correct", {"note": "游客增幅应为3.6%"})
    rss = feed(base, f"/site/{TENANT}/feed.rss")
    entry = next(e for e in rss.entries if e.id == f"urn:uuid:{sid}")
    assert "更正" in entry.summary
    chief.call("POST", f"/api/v1/publishing/stories/{sid}/kill", {"reason": "e2e"})
    for path in ("/feed.rss", "/feed.atom"):
        assert all(e.get("id") != f"urn:uuid:{sid}" for e in feed(base, f"/site/{TENANT}" + path).entries)
    gone = requests.get(f"{base}/api/v1/public/{TENANT}/items/{sid}", timeout=30)
    assert gone.status_code == 410
    assert gone.json()["state"] == "killed"
