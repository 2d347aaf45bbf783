"""A mô hình case carried through `hoso serve` in a real headless Chromium, as its people do it.

Called by tests/browser.rs with the server's address, the demo accounts, a folder for
screenshots and one for downloads. The cán bộ fills the rating proposal's form, meets the
guard's refusal (fewer than 10 months of activity) and corrects the date; the lãnh đạo previews
and approves; the văn thư issues it with a number; the cán bộ records the QĐ công nhận xếp loại,
approved and issued the same way; the lưu trữ downloads the archive (which the Rust side
verifies). Screenshots of the main pages are taken at 1280×800 and 390×844.
Uses Debian's chromium and chromedriver only: nothing is downloaded.
"""

import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import Select, WebDriverWait

# A page being replaced by the next one is not a failure: look again.
PATIENT = (NoSuchElementException, StaleElementReferenceException)

BASE, ACCOUNTS, SHOTS, DOWNLOADS, CASE = sys.argv[1:6]
ACCOUNTS = json.loads(ACCOUNTS)
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = os.environ.get("HOSO_CHROMIUM", "/usr/bin/chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", "--lang=vi"):
        o.add_argument(flag)
    o.add_experimental_option("prefs", {
        "download.default_directory": DOWNLOADS,
        "download.prompt_for_download": False,
    })
    d = webdriver.Chrome(service=Service(
        executable_path=os.environ.get("HOSO_CHROMEDRIVER", "/usr/bin/chromedriver")), options=o)
    d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": DOWNLOADS})
    d.set_window_size(*SIZES["desktop"])
    return d


def shot(d, name, anchor=None):
    """The page at both widths, scrolled to the element `anchor` (a CSS selector) if given; the
    window is left at desktop width."""
    for size, (w, h) in SIZES.items():
        d.set_window_size(w, h)
        time.sleep(0.2)
        if anchor:
            d.execute_script(f"document.querySelector({anchor!r}).scrollIntoView()")
        d.save_screenshot(os.path.join(SHOTS, f"{name}-{size}.png"))
        # Nothing may stick out sideways at phone width but tables in their scroll boxes.
        if size == "phone":
            wide = d.execute_script(
                "return document.documentElement.scrollWidth > window.innerWidth + 1")
            assert not wide, f"{name}: the page is wider than a phone"
    d.set_window_size(*SIZES["desktop"])


def login(d, role):
    login, password = ACCOUNTS[role]
    d.get(BASE + "/dang-nhap")
    d.find_element(By.ID, "dang_nhap").send_keys(login)
    d.find_element(By.ID, "mat_khau").send_keys(password)
    d.find_element(By.CSS_SELECTOR, "form.card button").click()
    wait_url(d, BASE + "/")


def keyboard_login(d, role):
    """Logs in with the keyboard only: the name field has the focus, Tab, Enter."""
    login, password = ACCOUNTS[role]
    d.get(BASE + "/dang-nhap")
    assert d.switch_to.active_element.get_attribute("id") == "dang_nhap"
    ActionChains(d).send_keys(login, Keys.TAB, password, Keys.ENTER).perform()
    wait_url(d, BASE + "/")
    # The first Tab reaches the skip link, shown where the focus is, with a visible outline.
    ActionChains(d).send_keys(Keys.TAB).perform()
    a = d.switch_to.active_element
    assert a.get_attribute("class") == "skip", a.get_attribute("outerHTML")
    assert a.rect["x"] >= 0 and a.rect["width"] > 0, a.rect
    outline = d.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), outline
    shot(d, "ban-phim-bo-qua")
    ActionChains(d).send_keys(Keys.ENTER).perform()
    assert d.switch_to.active_element.get_attribute("id") == "noi-dung"
    # The next Tab is inside the page's content, not the header.
    ActionChains(d).send_keys(Keys.TAB).perform()
    inside = d.execute_script(
        "return document.getElementById('noi-dung').contains(document.activeElement)")
    assert inside, d.switch_to.active_element.get_attribute("outerHTML")


def wait_url(d, suffix):
    """Waits for the page a click leads to."""
    try:
        WebDriverWait(d, 20, ignored_exceptions=PATIENT).until(
            lambda d: d.current_url.endswith(suffix)
            and d.execute_script("return document.readyState") == "complete")
    except Exception:
        raise AssertionError(f"expected …{suffix}, at {d.current_url}: "
                             + d.find_element(By.TAG_NAME, "main").text)


def wait_for(d, cond, what):
    try:
        WebDriverWait(d, 20, ignored_exceptions=PATIENT).until(cond)
    except Exception:
        raise AssertionError(f"{what} did not come, at {d.current_url}: "
                             + d.find_element(By.TAG_NAME, "main").get_attribute("innerHTML"))


def logout(d):
    d.find_element(By.CSS_SELECTOR, ".who form button").click()
    wait_url(d, "/dang-nhap")


def has_label(d, field_id):
    return d.find_elements(By.CSS_SELECTOR, f"label[for='{field_id}']")


def fill(d, field_id, text):
    e = d.find_element(By.ID, field_id)
    assert has_label(d, field_id), f"{field_id} has no label"
    e.clear()
    e.send_keys(text)


def take_step(d, step, date, inputs, selects=None, refused_first=None, attach=None):
    d.get(f"{BASE}/ho-so/{CASE}")
    d.find_element(By.CSS_SELECTOR, f"a[href='/ho-so/{CASE}/buoc/{step}']").click()
    if refused_first:
        fill(d, "ngay", refused_first)
        for k, v in inputs.items():
            fill(d, f"nhap-{k}", v)
        d.find_element(By.CSS_SELECTOR, "form.step > button[type=submit]").click()
        wait_for(d, lambda d: d.find_elements(By.ID, "loi"), "the refusal")
        error = d.find_element(By.ID, "loi").text
        assert "10 tháng" in error, error
        beside = d.find_element(By.CSS_SELECTOR, "#ngay + p.field-error").text
        assert "10 tháng" in beside, beside
        for k, v in inputs.items():
            kept = d.find_element(By.ID, f"nhap-{k}").get_attribute("value")
            assert kept == v, f"{k}: {kept!r} after the refusal"
        shot(d, "buoc-bi-tu-choi")
    fill(d, "ngay", date)
    if not refused_first:
        for k, v in inputs.items():
            fill(d, f"nhap-{k}", v)
    for k, v in (selects or {}).items():
        Select(d.find_element(By.ID, f"nhap-{k}")).select_by_visible_text(v)
    if attach:
        assert has_label(d, "tep")
        d.find_element(By.ID, "tep").send_keys(attach)
    d.find_element(By.CSS_SELECTOR, "form.step > button[type=submit]").click()
    wait_url(d, f"/ho-so/{CASE}")
    if attach:
        name = os.path.basename(attach)
        assert name in d.find_element(By.TAG_NAME, "main").text, f"{name} not attached"


def typed_form(d):
    """The step form of a decision: every field labelled, a table that grows without a script."""
    d.get(f"{BASE}/ho-so/{CASE}/buoc/kien-toan")
    fields = d.find_elements(By.CSS_SELECTOR,
                             "form.step input:not([type=hidden]), form.step select, form.step textarea")
    assert len(fields) > 10, len(fields)
    for e in fields:
        i = e.get_attribute("id")
        assert i and (has_label(d, i) or e.get_attribute("aria-label")), f"{i} has no label"
    rows = len(d.find_elements(By.CSS_SELECTOR, "table.rows tbody tr"))
    d.find_element(By.CSS_SELECTOR, "button[name=them-dong]").click()
    wait_for(d, lambda d: len(d.find_elements(By.CSS_SELECTOR, "table.rows tbody tr")) == rows + 1,
             "one more row")
    shot(d, "buoc-nhap-lieu", anchor="fieldset.rows")
    shot(d, "buoc-dinh-kem", anchor="#dinh-kem")


def open_draft(d, template):
    d.get(f"{BASE}/ho-so/{CASE}")
    links = [a for a in d.find_elements(By.CSS_SELECTOR, "a[href*='/van-ban/']")
             if a.get_attribute("href").endswith(template)]
    assert links, f"no draft of {template}"
    href = links[-1].get_attribute("href")
    d.get(href)
    return href


def approve_and_issue(d, template, date, shots=False):
    login(d, "lanh-dao")
    href = open_draft(d, template)
    pdf = d.find_element(By.CSS_SELECTOR, "object.preview").get_attribute("data")
    assert pdf.endswith("/du-thao.pdf"), pdf
    if shots:
        shot(d, "du-thao")
    d.find_element(By.CSS_SELECTOR, f"form[action$='/duyet'] button").click()
    wait_for(d, lambda d: "Đã duyệt" in d.find_element(By.TAG_NAME, "main").text, "approval")
    logout(d)
    login(d, "van-thu")
    d.get(href)
    fill(d, "ngay", date)
    d.find_element(By.CSS_SELECTOR, f"form[action$='/ban-hanh'] button").click()
    wait_for(d, lambda d: d.find_elements(By.ID, "so"), "the number")
    number = d.find_element(By.ID, "so").text
    assert "/" in number, number
    assert d.find_element(By.ID, "ngay-ban-hanh").text == date
    files = d.find_elements(By.CSS_SELECTOR, "ul.files a")
    assert any(a.text.endswith(".pdf") for a in files), [a.text for a in files]
    if shots:
        shot(d, "da-ban-hanh")
    logout(d)
    return number


def main():
    d = browser()
    try:
        d.get(BASE + "/dang-nhap")
        shot(d, "dang-nhap")
        keyboard_login(d, "can-bo")
        shot(d, "viec-cua-toi")
        d.get(BASE + "/ho-so")
        shot(d, "danh-sach-ho-so")
        d.get(f"{BASE}/ho-so/{CASE}")
        shot(d, "ho-so")
        assert "Thành phần hồ sơ" in d.find_element(By.TAG_NAME, "main").text
        shot(d, "thanh-phan-ho-so", anchor="#thanh-phan")
        d.find_element(By.CSS_SELECTOR, f"a[href='/ho-so/{CASE}/so-do']").click()
        wait_url(d, f"/ho-so/{CASE}/so-do")
        assert d.find_elements(By.CSS_SELECTOR, "svg.diagram g.node.open"), "open steps marked"
        shot(d, "so-do", anchor="svg.diagram g.node.open")
        d.get(BASE + "/ho-so/moi?quy-trinh=mo-hinh")
        shot(d, "mo-ho-so")
        typed_form(d)
        take_step(d, "de-nghi-xep-loai", "03/11/2024", {"ty_le_hoan_thanh": "92"},
                  refused_first="03/11/2023")
        logout(d)
        first = approve_and_issue(d, "to-trinh-de-nghi-xep-loai", "04/11/2024", shots=True)

        login(d, "can-bo")
        minutes = os.path.join(DOWNLOADS, "bien-ban-hop-xet.pdf")
        with open(minutes, "wb") as f:
            f.write(b"%PDF-1.7\n%%EOF\n")
        take_step(d, "xep-loai", "08/11/2024", {}, selects={"xep_loai": "Tốt"}, attach=minutes)
        logout(d)
        # UBND xã Đắk Mar's book already has a number of 25/11/2024 (the seeded điển hình case):
        # its next number cannot carry an earlier date.
        second = approve_and_issue(d, "quyet-dinh-cong-nhan-xep-loai", "26/11/2024")

        login(d, "van-thu")
        d.get(BASE + "/so-dang-ky?nam=2024")
        book = d.find_element(By.TAG_NAME, "main").text
        assert first in book and second in book, book
        shot(d, "so-dang-ky")
        logout(d)

        # The lưu trữ forgot the password: the quản trị resets it, the new one shown once.
        login(d, "quan-tri")
        d.get(BASE + "/tai-khoan")
        luu_tru = ACCOUNTS["luu-tru"][0]
        d.find_element(By.CSS_SELECTOR,
                       f"button[aria-label='Đặt lại mật khẩu tài khoản {luu_tru}']").click()
        wait_for(d, lambda d: d.find_elements(By.ID, "mat-khau-moi"), "the new password")
        ACCOUNTS["luu-tru"][1] = d.find_element(By.CSS_SELECTOR, "code.secret").text
        shot(d, "tai-khoan")
        logout(d)

        login(d, "luu-tru")
        d.get(BASE + "/luu-tru")
        shot(d, "luu-tru")
        d.get(f"{BASE}/ho-so/{CASE}")
        # Archiving runs in the background; its page shows the progress, then the file.
        d.find_element(By.CSS_SELECTOR, f"form[action='/ho-so/{CASE}/luu-tru'] button").click()
        wait_for(d, lambda d: d.find_elements(By.CSS_SELECTOR, "a[href$='/tep']"), "the archive")
        assert d.find_elements(By.TAG_NAME, "progress")
        shot(d, "luu-tru-xong")
        d.find_element(By.CSS_SELECTOR, "a[href$='/tep']").click()
        target = os.path.join(DOWNLOADS, f"{CASE}-luu-tru.zip")
        for _ in range(200):
            if os.path.exists(target) and not os.path.exists(target + ".crdownload"):
                break
            time.sleep(0.1)
        assert os.path.exists(target), os.listdir(DOWNLOADS)
        print(json.dumps({"archive": target, "numbers": [first, second]}))
    finally:
        d.quit()


main()
