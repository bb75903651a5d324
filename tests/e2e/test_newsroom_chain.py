"""Acceptance test of issue 4 — the newsroom chain 策采编审 in a real headless Chromium:

  1. a lead arrives from an RSS feed (served by a local http.server on 127.0.0.1, added as a lead source through the API);
  2. it is converted into a topic and the topic is assigned to a reporter (Planning API);
  3. the reporter writes the story in the browser (Stories editor) and submits it for review (review page);
  4. 初审 (an editor) returns it with a comment (browser);
  5. the reporter resubmits it (browser);
  6. 复审 (a reviewer) and 终审 (the chief editor) approve it (browser);
  7. the story is ready to publish (status approved), and the audit log shows every step (API and /admin/audit page).

The tests run in file order and share one browser and one set of ids (CHAIN). Run it like test_browser.py:
    ZHIMEI_E2E_BASE_URL=http://localhost:18080 python3 -m pytest tests/e2e/test_newsroom_chain.py
"""
import functools
import http.server
import json
import os
import tempfile
import threading
import time
import uuid

import pytest
import requests
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from test_browser import ReloadTolerantWait

PASSWORD = os.environ.get("ZHIMEI_E2E_PASSWORD", "Zhimei@2026")
RUN = uuid.uuid4().hex[:6]
LEAD_TITLE = f"浏阳河畔发现珍稀候鸟群 {RUN}"
REVIEWER = f"ly-fushen-{RUN}"
REVIEWER_PASSWORD = "Fushen#2026x"
RETURN_COMMENT = f"第二段鸟类数量须注明来源 {RUN}"
CHAIN = {}


def wait(driver, seconds=20):
    return ReloadTolerantWait(driver, seconds)


def path_of(driver):
    url = driver.current_url
    return "/" + url.split("://", 1)[1].split("/", 1)[1] if "://" in url else url


class Api:
    """A signed-in API client (session cookie + CSRF token, as the browser has)."""

    def __init__(self, base_url, username, password=PASSWORD):
        self.base = base_url
        r = requests.post(f"{base_url}/api/v1/session", json={"username": username, "password": password}, timeout=30)
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]
        # The cookie is Secure; requests will not send it back over http by itself.
        self.cookie = r.cookies.get("zm_session")
        self.user_id = r.json()["user"]["id"]
        self.tenant_id = r.json()["active_tenant_id"]

    def call(self, method, path, body=None, expect=(200, 201, 202)):
        headers = {"Cookie": f"zm_session={self.cookie}", "X-CSRF-Token": self.csrf, "Accept": "application/json"}
        r = requests.request(method, self.base + path, json=body, headers=headers, timeout=60)
        assert r.status_code in expect, f"{method} {path}: {r.status_code} {r.text[:400]}"
        return r.json() if r.content else {}


def browser_login(driver, base_url, username, password=PASSWORD):
    driver.delete_all_cookies()
    driver.get(base_url + "/login")
    wait(driver).until(EC.presence_of_element_located((By.ID, "login-form")))
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-submit").click()
    wait(driver).until(lambda d: not path_of(d).startswith("/login"))


def review_action(driver, base_url, story_id, action, comment=""):
    """Opens the story's review page and takes an action with the comment box."""
    driver.get(f"{base_url}/review/stories/{story_id}")
    button = wait(driver).until(EC.element_to_be_clickable((By.ID, f"review-{action}")))
    state_before = driver.find_element(By.ID, "review-state").get_attribute("data-state")
    history_before = len(driver.find_elements(By.CSS_SELECTOR, ".review-event"))
    if comment:
        box = driver.find_element(By.ID, "review-comment")
        box.clear()
        box.send_keys(comment)
    button.click()
    # The page reloads with one more history entry (or shows the error next to the buttons).
    def done(d):
        # The reload can replace an element between finding and inspecting it; Chromium then reports "Node with given
        # id does not belong to the document" (a plain WebDriverException, not a stale element): look again.
        try:
            errors = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#review-action-form .form-error") if e.is_displayed() and e.text]
            count = len(d.find_elements(By.CSS_SELECTOR, ".review-event"))
        except WebDriverException:
            return False
        assert not errors, errors
        return count > history_before
    wait(driver).until(done)
    return state_before


@pytest.fixture(scope="module")
def feed_server():
    """An RSS 2.0 file served from a temporary directory on 127.0.0.1 only."""
    root = tempfile.mkdtemp(prefix="zhimei-feed-")
    rss = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>浏阳通讯员</title><link>http://127.0.0.1/</link><description>测试订阅源</description>
<item><title>{LEAD_TITLE}</title><link>http://127.0.0.1/news/{RUN}</link><guid>chain-{RUN}</guid>
<pubDate>{time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}</pubDate>
<description>今天上午，浏阳河湿地观测到三十余只中华秋沙鸭越冬栖息，市林业局工作人员到场记录。</description></item>
</channel></rss>"""
    with open(os.path.join(root, "feed.xml"), "w", encoding="utf-8") as f:
        f.write(rss)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()


def test_01_setup_people(base_url):
    """A third reviewer for 复审, so 初审, 复审 and 终审 are signed by three different people."""
    admin = Api(base_url, "liuyang-admin")
    created = admin.call("POST", "/api/v1/users", {
        "username": REVIEWER, "display_name": "浏阳复审员", "tenant_id": admin.tenant_id, "roles": ["reviewer"], "password": REVIEWER_PASSWORD})
    CHAIN["reviewer_id"] = created["id"]
    reporter = Api(base_url, "liuyang-reporter")
    CHAIN["reporter_id"] = reporter.user_id
    CHAIN["tenant_id"] = admin.tenant_id


def test_02_lead_arrives_from_a_feed(base_url, feed_server, driver):
    editor = Api(base_url, "liuyang-editor")
    source = editor.call("POST", "/api/v1/leads/sources", {"name": f"浏阳通讯员 {RUN}", "kind": "feed", "url": feed_server, "interval_seconds": 3600})
    CHAIN["source_id"] = source["id"]
    editor.call("POST", f"/api/v1/leads/sources/{source['id']}/poll")
    lead = None
    for _ in range(60):
        page = editor.call("GET", "/api/v1/leads?q=" + requests.utils.quote(LEAD_TITLE))
        items = page.get("items", page if isinstance(page, list) else [])
        lead = next((x for x in items if x["title"] == LEAD_TITLE), None)
        if lead:
            break
        time.sleep(1)
    assert lead, "the feed item never became a lead"
    CHAIN["lead_id"] = lead["id"]
    # The lead is in the inbox in the browser.
    browser_login(driver, base_url, "liuyang-editor")
    driver.get(base_url + "/leads")
    wait(driver).until(lambda d: LEAD_TITLE in d.find_element(By.TAG_NAME, "body").text)


def test_03_lead_becomes_an_assigned_topic(base_url, driver):
    editor = Api(base_url, "liuyang-editor")
    topic = editor.call("POST", "/api/v1/topics", {"lead_id": CHAIN["lead_id"], "assignee_ids": [CHAIN["reporter_id"]],
                                                   "angle": "生态保护成效", "priority": "high"})
    CHAIN["topic_id"] = topic["id"]
    assert topic["title"].startswith("浏阳河畔发现珍稀候鸟群"), topic["title"]
    editor.call("POST", f"/api/v1/topics/{topic['id']}/approve")
    lead = editor.call("GET", f"/api/v1/leads/{CHAIN['lead_id']}")
    assert (lead.get("lead") or lead)["status"] == "converted"
    driver.get(f"{base_url}/planning/topics/{topic['id']}")
    wait(driver).until(lambda d: "浏阳河畔发现珍稀候鸟群" in d.find_element(By.TAG_NAME, "body").text)


def test_04_reporter_writes_and_submits(base_url, driver, screenshot_dir):
    browser_login(driver, base_url, "liuyang-reporter")
    driver.get(base_url + "/stories/new")
    wait(driver).until(EC.presence_of_element_located((By.ID, "n-headline"))).send_keys(LEAD_TITLE)
    driver.find_element(By.ID, "n-lead").send_keys("浏阳河湿地迎来越冬的中华秋沙鸭。")
    driver.find_element(By.ID, "create-story").click()
    wait(driver).until(lambda d: path_of(d).startswith("/stories/") and path_of(d) != "/stories/new")
    story_id = path_of(driver).split("/")[2].split("?")[0]
    uuid.UUID(story_id)
    CHAIN["story_id"] = story_id
    if not path_of(driver).endswith("/edit"):
        driver.get(f"{base_url}/stories/{story_id}/edit")
    body = wait(driver).until(EC.element_to_be_clickable((By.ID, "story-editor")))
    body.click()
    body.send_keys("今天上午，浏阳河湿地观测到三十余只中华秋沙鸭。")
    body.send_keys(Keys.ENTER)
    body.send_keys("市林业局表示，将加强巡护。")
    driver.find_element(By.ID, "save-now").click()
    reporter = Api(base_url, "liuyang-reporter")
    wait(driver).until(lambda d: "秋沙鸭" in json.dumps(reporter.call("GET", f"/api/v1/stories/{story_id}"), ensure_ascii=False)
                       and reporter.call("GET", f"/api/v1/stories/{story_id}")["version"] >= 2)
    review_action(driver, base_url, story_id, "submit")
    assert driver.find_element(By.ID, "review-state").get_attribute("data-state") == "pending"
    assert "初审" in driver.find_element(By.ID, "review-stage").text
    # The machine first pass (proofreading engine) ran on submission; nothing in this story blocks it.
    fp = driver.find_element(By.ID, "first-pass-status")
    assert fp.get_attribute("data-status") in ("clean", "findings")
    assert not driver.find_elements(By.CSS_SELECTOR, "#review-first-pass .finding-block")


def test_05_first_review_returns_with_a_comment(base_url, driver, screenshot_dir):
    browser_login(driver, base_url, "liuyang-editor")
    driver.get(base_url + "/review")
    link = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f'#review-waiting a[href="/review/stories/{CHAIN["story_id"]}"]')))
    link.click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "review-return")))
    review_action(driver, base_url, CHAIN["story_id"], "return", RETURN_COMMENT)
    assert driver.find_element(By.ID, "review-state").get_attribute("data-state") == "returned"
    assert RETURN_COMMENT in driver.find_element(By.ID, "review-history").text
    driver.save_screenshot(os.path.join(screenshot_dir, "review-returned.png"))


def test_06_reporter_sees_the_comment_and_resubmits(base_url, driver):
    browser_login(driver, base_url, "liuyang-reporter")
    driver.get(f"{base_url}/review/stories/{CHAIN['story_id']}")
    assert RETURN_COMMENT in wait(driver).until(EC.presence_of_element_located((By.ID, "review-history"))).text
    review_action(driver, base_url, CHAIN["story_id"], "submit", "已补充来源")
    assert driver.find_element(By.ID, "review-state").get_attribute("data-state") == "pending"
    assert "初审" in driver.find_element(By.ID, "review-stage").text
    assert "2" in driver.find_element(By.ID, "review-stage").text, "a resubmission starts round 2"


def test_07_three_people_sign_three_stages(base_url, driver, screenshot_dir):
    story = CHAIN["story_id"]
    browser_login(driver, base_url, "liuyang-editor")
    review_action(driver, base_url, story, "approve", "初审通过")
    assert "复审" in driver.find_element(By.ID, "review-stage").text
    # The editor signed 初审 and cannot sign 复审 of the same round: no approve button.
    assert not driver.find_elements(By.ID, "review-approve")
    browser_login(driver, base_url, REVIEWER, REVIEWER_PASSWORD)
    review_action(driver, base_url, story, "approve", "复审通过")
    assert "终审" in driver.find_element(By.ID, "review-stage").text
    browser_login(driver, base_url, "liuyang-chief")
    review_action(driver, base_url, story, "approve", "同意刊发")
    assert driver.find_element(By.ID, "review-state").get_attribute("data-state") == "approved"
    stages = driver.find_elements(By.CSS_SELECTOR, ".review-stage-done")
    assert len(stages) == 3
    driver.save_screenshot(os.path.join(screenshot_dir, "review-approved.png"))


def test_08_story_is_ready_to_publish_and_the_audit_log_shows_every_step(base_url, driver):
    story = CHAIN["story_id"]
    reporter = Api(base_url, "liuyang-reporter")
    assert reporter.call("GET", f"/api/v1/stories/{story}")["status"] == "approved"
    state = reporter.call("GET", f"/api/v1/review/stories/{story}")
    assert state["state"] == "approved"
    assert [e["action"] for e in state["history"] if e["action"] != "first_pass"] == ["submit", "return", "submit", "approve", "approve", "approve"]
    assert [s["signed_by"] for s in state["stages"]] == ["浏阳市编辑", "浏阳复审员", "浏阳市总编辑"]

    admin = Api(base_url, "liuyang-admin")
    entries = admin.call("GET", "/api/v1/audit?limit=500")
    entries = entries.get("items", entries) if isinstance(entries, dict) else entries
    by_target = {}
    for e in entries:
        by_target.setdefault(e["target_id"], []).append(e["action"])
    # Oldest first for the story.
    story_actions = list(reversed(by_target.get(story, [])))
    expected = ["story.create", "story.save", "review.submit", "review.first_pass", "review.return",
                "review.submit", "review.first_pass", "review.approve", "review.approve", "review.approve"]
    it = iter(story_actions)
    assert all(any(a == want for a in it) for want in expected), f"audit for the story: {story_actions}"
    assert story_actions.count("story.status") >= 4, story_actions   # in_review, returned, in_review, approved
    actions = {e["action"] for e in entries}
    for want in ["user.create", "lead_source.create", "lead_source.poll", "lead.convert", "topic.create", "story.create"]:
        assert want in actions, f"{want} missing from the audit log: {sorted(actions)}"
    assert "lead.convert" in by_target.get(CHAIN["lead_id"], []), by_target.get(CHAIN["lead_id"])
    # And on the audit page in the browser.
    browser_login(driver, base_url, "liuyang-admin")
    driver.get(base_url + "/admin/audit?action=review")
    text = wait(driver).until(EC.presence_of_element_located((By.TAG_NAME, "table"))).text
    for want in ["review.submit", "review.return", "review.approve"]:
        assert want in text
