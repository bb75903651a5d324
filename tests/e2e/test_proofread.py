"""Browser test of standalone batch proofreading (批量校对) as an editor uses it: two files uploaded at once run as a
job whose progress the page follows; each file's row opens its whole report (findings and marked text), and the batch
stays in "my recent batches" to be opened again after leaving the page."""
import os
import tempfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from test_browser import PASSWORD, login, logout, wait

EDITOR = os.environ.get("ZHIMEI_E2E_PROOFREAD_USER", "liuyang-editor")


def click(driver, element):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def sign_in(driver, base_url):
    # The browser is shared with the test files before this one: whoever they left signed in signs out first
    # (/login sends a signed-in person to the workbench).
    driver.get(base_url + "/login")
    if not driver.find_elements(By.ID, "login-form"):
        logout(driver)
    login(driver, base_url, EDITOR, PASSWORD)
    wait(driver).until(lambda d: not d.current_url.rstrip("/").endswith("/login"))


def test_batch_reports_open_per_file_and_stay_listed(driver, base_url):
    sign_in(driver, base_url)
    folder = tempfile.mkdtemp(prefix="zhimei-batch-")
    typo = os.path.join(folder, "有错别字.txt")
    clean = os.path.join(folder, "没有问题.txt")
    with open(typo, "w", encoding="utf-8") as f:
        f.write("会议指出，要坚决杜绝按装不规范的问题。\n")
    with open(clean, "w", encoding="utf-8") as f:
        f.write("今天天气很好。\n")
    driver.get(base_url + "/review/proofread")
    upload = wait(driver).until(EC.presence_of_element_located((By.ID, "proofread-file")))
    upload.send_keys(typo + "\n" + clean)
    click(driver, driver.find_element(By.ID, "proofread-run"))

    rows = lambda d: d.find_elements(By.CSS_SELECTOR, "#proofread-batch-files li")
    wait(driver, 60).until(lambda d: len(rows(d)) == 2)
    texts = [r.text for r in rows(driver)]
    assert "有错别字.txt" in texts[0] and "没有问题.txt" in texts[1], texts
    click(driver, rows(driver)[0].find_element(By.TAG_NAME, "button"))
    wait(driver, 20).until(lambda d: "有错别字.txt" in d.find_element(By.ID, "proofread-summary").text)
    assert "按装" in driver.find_element(By.ID, "proofread-groups").text
    marks = driver.find_elements(By.CSS_SELECTOR, "#proofread-marked mark")
    assert any(m.text == "按装" for m in marks), [m.text for m in marks]

    # After leaving the page, the batch is still there to open.
    driver.get(base_url + "/review/proofread")
    history = wait(driver).until(EC.visibility_of_element_located((By.ID, "proofread-history")))
    first = history.find_elements(By.CSS_SELECTOR, "li")[0]
    assert "有错别字.txt" in first.text, first.text
    click(driver, first.find_element(By.TAG_NAME, "button"))
    wait(driver, 20).until(lambda d: len(rows(d)) == 2)
    for path in (typo, clean):
        os.unlink(path)
    os.rmdir(folder)
