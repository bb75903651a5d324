"""Browser test of public-opinion monitoring (舆情) as an editor uses it: a webhook source added and switched off on
the sources page, a batch import uploaded through the dashboard with that source whose progress the page follows
live to the end, and an alert rule with a scheme, a negative share and a burst made on the schemes page."""
import json
import os
import tempfile
import uuid

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from test_browser import PASSWORD, login, path_of, wait

EDITOR = os.environ.get("ZHIMEI_E2E_OPINION_USER", "liuyang-editor")
SOURCE = "端到端推送-" + uuid.uuid4().hex[:6]
# Enough posts that the import is still running when the page comes back from the upload, so that the live
# progress (opinion.js) is what turns the row to "done".
POSTS = 20000


def visible_errors(driver):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".form-error") if e.is_displayed() and e.text.strip()]


def click(driver, element):
    # Into the middle of the window first: the sticky top bar covers whatever scrolled under it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def source_row(driver):
    rows = [r for r in driver.find_elements(By.CSS_SELECTOR, "#opinion-sources tbody tr") if SOURCE in r.text]
    return rows[0] if rows else None


def source_text(driver):
    # One script: the page reloads under the test, and a row found in one call can be gone by the next (Chromium then
    # says "Node with given id does not belong to the document", a plain WebDriverException). Mid-reload: look again.
    try:
        return driver.execute_script(
            "var rows = document.querySelectorAll('#opinion-sources tbody tr');"
            "for (var i = 0; i < rows.length; i++) { if (rows[i].textContent.indexOf(arguments[0]) >= 0) return rows[i].innerText; }"
            "return '';", SOURCE) or ""
    except WebDriverException:
        return ""


def test_editor_adds_a_source_and_switches_it_off(driver, base_url):
    driver.delete_all_cookies()
    login(driver, base_url, EDITOR, PASSWORD)
    wait(driver).until(lambda d: not path_of(d).startswith("/login"))
    driver.get(base_url + "/opinion/sources")
    form = wait(driver).until(EC.visibility_of_element_located((By.ID, "opinion-source-form")))
    form.find_element(By.NAME, "name").send_keys(SOURCE)
    Select(form.find_element(By.NAME, "kind")).select_by_value("webhook")
    form.find_element(By.NAME, "platform").send_keys("weibo")
    click(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    wait(driver, 20).until(lambda d: visible_errors(d) or source_text(d) != "")
    assert not visible_errors(driver)
    row = source_row(driver)
    assert "启用" in row.text and "网络钩子" in row.text
    # The webhook's address and secret, for the manager.
    click(driver, row.find_element(By.TAG_NAME, "summary"))
    assert "/api/v1/opinion/webhook/" in row.text
    # Switched off: the page reloads with the state and the button to switch it on again.
    click(driver, row.find_element(By.XPATH, ".//button[text()='停用']"))
    wait(driver, 20).until(lambda d: "已停用" in source_text(d))
    assert source_row(driver).find_elements(By.XPATH, ".//button[text()='启用']")
    # On again, for the import below.
    click(driver, source_row(driver).find_element(By.XPATH, ".//button[text()='启用']"))
    wait(driver, 20).until(lambda d: source_text(d) != "" and "已停用" not in source_text(d))


def test_import_progress_is_followed_live_to_the_end(driver, base_url):
    posts = [{"id": f"e2e-{uuid.uuid4().hex[:8]}-{i}", "author": f"网友{i % 17}",
              "text": f"浏阳金沙路第{i}段路面积水，附近居民出行不便，希望有关部门尽快处理。"} for i in range(POSTS)]
    lines = "\n".join(json.dumps(p, ensure_ascii=False) for p in posts) + "\nnot json\n"
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.write(lines)
        path = f.name
    try:
        driver.get(base_url + "/opinion")
        wait(driver).until(EC.visibility_of_element_located((By.ID, "opinion-import-form")))
        Select(driver.find_element(By.ID, "opinion-import-format")).select_by_value("jsonl")
        Select(driver.find_element(By.ID, "opinion-import-source")).select_by_visible_text(SOURCE)
        driver.find_element(By.ID, "opinion-import-file").send_keys(path)
        click(driver, driver.find_element(By.CSS_SELECTOR, "#opinion-import-form button[type=submit]"))

        def newest(d):
            items = d.find_elements(By.CSS_SELECTOR, "#opinion-imports > li")
            return items[0] if items and SOURCE in items[0].text else None
        wait(driver, 30).until(lambda d: newest(d) is not None)
        first = newest(driver)
        assert first.get_attribute("data-live") == "1", "the import finished before the page came back: make it bigger"
        # The same row element updates in place (opinion.js polls the import) until it is done: no reload.
        wait(driver, 180).until(lambda d: "已完成" in first.text)
        assert first.get_attribute("data-status") == "done"
        assert "100%" in first.text
        assert first.find_element(By.CSS_SELECTOR, '[data-field="imported"]').text == str(POSTS)
        assert first.find_element(By.CSS_SELECTOR, '[data-field="skipped"]').text == "1"
        # The dashboard's live parts are drawn from the same page's script: hot keywords from the imported posts.
        driver.get(base_url + "/opinion")
        wait(driver, 40).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#opinion-hot li")) > 0)
        hot = driver.find_element(By.ID, "opinion-hot").text
        assert any(w in hot for w in ("金沙路", "积水", "居民", "浏阳", "路面")), hot
        assert driver.find_element(By.CSS_SELECTOR, "#opinion-volume svg")
    finally:
        os.unlink(path)
    # The source counts the posts it brought.
    driver.get(base_url + "/opinion/sources")
    wait(driver).until(lambda d: str(POSTS) in source_text(d))


def test_split_posts_off_an_event_and_merge_them_back(driver, base_url):
    # The imported event: the biggest open one.
    driver.get(base_url + "/opinion?sort=size")
    link = wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#opinion-events tbody tr td a")))
    event_url = link.get_attribute("href")
    driver.get(event_url)
    wait(driver).until(EC.presence_of_element_located((By.ID, "opinion-split")))

    def posts_count(d):
        text = d.find_element(By.CSS_SELECTOR, "section.card p.small").text
        return int(text.split()[1])
    before = posts_count(driver)
    boxes = driver.find_elements(By.CSS_SELECTOR, '#opinion-split input[name="post_ids"]')
    assert len(boxes) >= 3
    for box in boxes[:2]:
        click(driver, box)
    click(driver, driver.find_element(By.CSS_SELECTOR, "#opinion-split button[type=submit]"))
    wait(driver, 60).until(lambda d: posts_count(d) == before - 2)
    # The split-off posts form an event alike to this one: offered for merging back, ticked, merged.
    candidates = driver.find_elements(By.CSS_SELECTOR, '#opinion-merge input[name="event_ids"][type="checkbox"]')
    assert candidates, "the split-off event is offered for merging"
    click(driver, candidates[0])
    click(driver, driver.find_element(By.CSS_SELECTOR, "#opinion-merge button[type=submit]"))
    wait(driver, 60).until(lambda d: posts_count(d) == before)
    assert not visible_errors(driver)


def test_editor_adds_an_alert_rule_with_thresholds(driver, base_url):
    driver.get(base_url + "/opinion/schemes")
    form = wait(driver).until(EC.visibility_of_element_located((By.ID, "rule-form")))
    name = "端到端规则-" + uuid.uuid4().hex[:6]
    form.find_element(By.NAME, "name").send_keys(name)
    negative = form.find_element(By.NAME, "min_negative_share")
    negative.clear()
    negative.send_keys("0.6")
    click(driver, form.find_element(By.NAME, "require_burst"))
    click(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def rule_row(d):
        rows = [r for r in d.find_elements(By.CSS_SELECTOR, "#opinion-rules tbody tr") if name in r.text]
        return rows[0] if rows else None
    wait(driver, 20).until(lambda d: visible_errors(d) or rule_row(d) is not None)
    assert not visible_errors(driver)
    text = rule_row(driver).text
    assert "负面占比 ≥ 60%" in text and "须为突增" in text and "启用" in text

    # Edited in place: five posts in 30 minutes, no longer only on a burst.
    row = rule_row(driver)
    click(driver, row.find_element(By.CSS_SELECTOR, ".rule-edit summary"))
    for field, value in (("min_posts", "5"), ("window_minutes", "30")):
        box = row.find_element(By.CSS_SELECTOR, '.rule-edit input[name="%s"]' % field)
        box.clear()
        box.send_keys(value)
    click(driver, row.find_element(By.CSS_SELECTOR, '.rule-edit input[name="require_burst"]'))
    click(driver, row.find_element(By.CSS_SELECTOR, ".rule-edit button[type=submit]"))
    wait(driver, 20).until(lambda d: visible_errors(d) or (rule_row(d) is not None and "≥ 5 条 / 30 分钟" in rule_row(d).text))
    assert not visible_errors(driver)
    assert "须为突增" not in rule_row(driver).text.split("编辑")[0]


def test_a_new_scheme_matches_the_stored_posts_and_an_edit_matches_them_again(driver, base_url):
    # A scheme made now lists the posts that arrived before it (the re-match job, followed on the page); adding an
    # exclusion word in its edit form takes those posts out again.
    driver.get(base_url + "/opinion/schemes")
    form = wait(driver).until(EC.visibility_of_element_located((By.ID, "scheme-form")))
    name = "端到端方案-" + uuid.uuid4().hex[:6]
    form.find_element(By.NAME, "name").send_keys(name)
    form.find_element(By.NAME, "rule").send_keys("金沙路")
    click(driver, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))

    def scheme_row(d):
        rows = [r for r in d.find_elements(By.CSS_SELECTOR, "#opinion-schemes tbody tr") if name in r.text]
        return rows[0] if rows else None

    def matched_when_done():
        # Reloaded until the re-match is no longer in progress, then the scheme's post list is read.
        def done(d):
            d.get(base_url + "/opinion/schemes")
            row = scheme_row(d)
            return row is not None and not row.find_elements(By.CSS_SELECTOR, ".scheme-rematch")
        wait(driver, 60).until(done)
        driver.get(scheme_row(driver).find_element(By.LINK_TEXT, "信息").get_attribute("href"))
        wait(driver).until(EC.presence_of_element_located((By.ID, "opinion-post-total")))
        return [r.find_elements(By.TAG_NAME, "td")[2].text for r in driver.find_elements(By.CSS_SELECTOR, "#opinion-post-list tbody tr")]

    wait(driver, 20).until(lambda d: visible_errors(d) or scheme_row(d) is not None)
    assert not visible_errors(driver)
    before = matched_when_done()
    assert before and all("金沙路" in t for t in before), before
    assert any("积水" in t for t in before), before

    # The dashboard's event list narrowed to the scheme keeps the choice and lists the events of those posts.
    driver.get(base_url + "/opinion")
    Select(wait(driver).until(EC.presence_of_element_located((By.ID, "opinion-scheme")))).select_by_visible_text(name)
    click(driver, driver.find_element(By.CSS_SELECTOR, "#opinion-event-order button[type=submit]"))
    wait(driver).until(lambda d: "scheme_id=" in d.current_url)
    assert Select(driver.find_element(By.ID, "opinion-scheme")).first_selected_option.text == name
    assert driver.find_elements(By.CSS_SELECTOR, "#opinion-events tbody tr"), "the scheme's posts belong to events"

    driver.get(base_url + "/opinion/schemes")
    row = wait(driver).until(scheme_row)
    click(driver, row.find_element(By.CSS_SELECTOR, ".scheme-edit summary"))
    field = row.find_element(By.CSS_SELECTOR, '.scheme-edit input[name="exclusions"]')
    field.send_keys("积水")
    click(driver, row.find_element(By.CSS_SELECTOR, ".scheme-edit button[type=submit]"))
    wait(driver, 20).until(lambda d: visible_errors(d) or (scheme_row(d) is not None and "排除词：积水" in scheme_row(d).text))
    assert not visible_errors(driver)
    after = matched_when_done()
    assert all("金沙路" in t and "积水" not in t for t in after), after
    assert len(after) < len(before)


def test_event_is_renamed_closed_and_reopened(driver, base_url):
    # The smallest open event: renamed on its page, closed (confirmed), found under the 已结案 tab, reopened.
    driver.get(base_url + "/opinion?sort=size")
    links = wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#opinion-events tbody tr td a"))
    event_url = links[-1].get_attribute("href")
    driver.get(event_url)
    title = "端到端事件-" + uuid.uuid4().hex[:6]
    field = wait(driver).until(EC.visibility_of_element_located((By.ID, "opinion-event-title")))
    field.clear()
    field.send_keys(title)
    click(driver, driver.find_element(By.CSS_SELECTOR, "#opinion-event-rename button[type=submit]"))
    wait(driver, 20).until(lambda d: visible_errors(d) or title in d.find_element(By.CSS_SELECTOR, "section.card h2").text)
    assert not visible_errors(driver)

    click(driver, driver.find_element(By.ID, "opinion-event-status"))
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver, 20).until(lambda d: "重新打开" in d.find_element(By.ID, "opinion-event-status").text)
    driver.get(base_url + "/opinion?status=closed")
    wait(driver).until(lambda d: title in d.find_element(By.ID, "opinion-events").text)
    driver.get(base_url + "/opinion")
    assert title not in driver.find_element(By.TAG_NAME, "main").text

    driver.get(event_url)
    click(driver, wait(driver).until(EC.element_to_be_clickable((By.ID, "opinion-event-status"))))
    wait(driver, 20).until(lambda d: "结案" == d.find_element(By.ID, "opinion-event-status").text.strip())
    assert not visible_errors(driver)
