#!/usr/bin/env bash
# The main example's page in a real browser (issue 17): headless Chromium,
# driven through its DevTools protocol, clicks the language switcher and
# checks what a reader would see: `<html lang>` and `dir` (RTL for Arabic,
# as the browser computes it), the translated text and the locale's
# numbers, the language cookie remembered across navigation, and the
# pseudo-locales. It saves a screenshot of every step and fails on the
# first wrong `lang`, `dir` or text.
#
#   bash scripts/browser.sh [path/to/full-stack]   (default: the release example)
#
# Installs Debian's `chromium` when it is missing (CI runs as root on a
# fresh machine). Everything stays on loopback; every wait is bounded.
# Screenshots and the example's log go to $BROWSER_OUT (default
# target/browser). Not part of `cargo test`: CI runs it after the smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/release/examples/full-stack}
out=${BROWSER_OUT:-target/browser}
mkdir -p "$out"
rm -f "$out"/*.png "$out"/*.log

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium (Debian's package)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --version 2>/dev/null
if [ ! -x "$bin" ]; then
  cargo build --release --example full-stack
  bin=target/release/examples/full-stack
fi

profile=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
cleanup() {
  stop_server
  rm -rf "$profile" "$out/driver.py"
}
trap cleanup EXIT

# serve MODE: the release example on a free loopback port, with the
# pseudo-locales, and the locale in the URL for MODE `prefix`.
serve() {
  local mode=$1 prefix=off
  [ "$mode" = prefix ] && prefix=on
  port=$((20000 + RANDOM % 20000))
  CROCODILE_ADDR="127.0.0.1:$port" CROCODILE_PSEUDO_LOCALES="en-XA,ar-XB" \
    CROCODILE_LOCALE_PREFIX="$prefix" NO_COLOR=1 "$bin" >"$out/server-$mode.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/context" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the example did not answer on 127.0.0.1:$port within 10 s:" >&2
  cat "$out/server-$mode.log" >&2
  return 1
}

# The driver: Chromium's DevTools protocol over --remote-debugging-pipe
# (fd 3 in, fd 4 out, messages separated by NUL), Python's standard library only.
cat >"$out/driver.py" <<'PY'
import base64, json, os, select, subprocess, sys, time

base, out, profile, mode = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
# The binary itself: Debian's launcher script adds nothing headless needs.
chromium = "/usr/lib/chromium/chromium" if os.access("/usr/lib/chromium/chromium", os.X_OK) else "chromium"


class Fail(Exception):
    pass


class Browser:
    def __init__(self):
        cmd_r, self.cmd_w = os.pipe()
        self.res_r, res_w = os.pipe()

        def pipes():
            # Copies first, so that neither lands on the other's number.
            inp, outp = os.dup(cmd_r), os.dup(res_w)
            os.dup2(inp, 3)
            os.dup2(outp, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
             "--accept-lang=en-US,en", "--window-size=1000,750", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(out, "chromium.log"), "w"),
            preexec_fn=pipes, close_fds=False)
        os.close(cmd_r)
        os.close(res_w)
        self.buffer, self.next_id, self.session = b"", 0, None

    def _message(self, deadline):
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail("Chromium did not answer in time")
            ready, _, _ = select.select([self.res_r], [], [], left)
            if ready:
                chunk = os.read(self.res_r, 1 << 16)
                if not chunk:
                    raise Fail("Chromium closed its DevTools pipe")
                self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method, params=None, timeout=15):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self.cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise Fail(f"{method}: {answer['error']}")
                return answer["result"]

    def open_tab(self):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget",
                                 {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")
        self.send("Network.enable")

    def eval(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise Fail(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def page(self):
        return self.eval("""JSON.stringify({
            ready: document.readyState, url: location.href,
            lang: document.documentElement.lang, dir: document.documentElement.dir,
            direction: document.body ? getComputedStyle(document.body).direction : '',
            text: document.body ? document.body.innerText : ''})""")

    def wait_for(self, what, done, timeout=10):
        """Polls the page until `done(page)` holds; fails after `timeout` s."""
        deadline = time.monotonic() + timeout
        page = {}
        while time.monotonic() < deadline:
            try:
                page = json.loads(self.page())
            except Fail:
                page = {}  # the page is being replaced
            if page.get("ready") == "complete" and done(page):
                return page
            time.sleep(0.1)
        raise Fail(f"{what}: still {json.dumps(page, ensure_ascii=False)[:600]}")

    def goto(self, path, done):
        self.send("Page.navigate", {"url": base + path})
        return self.wait_for(f"GET {path}", done)

    def click(self, selector, done):
        found = self.eval(f"(() => {{ const a = document.querySelector({json.dumps(selector)});"
                          " if (!a) return false; a.click(); return true; })()")
        if not found:
            raise Fail(f"no {selector} on {json.loads(self.page())['url']}")
        return self.wait_for(f"after clicking {selector}", done)

    def cookie(self, name):
        for cookie in self.send("Network.getCookies", {"urls": [base + "/"]})["cookies"]:
            if cookie["name"] == name:
                return cookie["value"]
        return None

    def screenshot(self, name):
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        if len(data) < 1000 or not data.startswith(b"\x89PNG"):
            raise Fail(f"screenshot {name}: not a PNG image")
        path = os.path.join(out, name + ".png")
        with open(path, "wb") as f:
            f.write(data)
        return path

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Fail:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def locale(lang):
    """Done when the page's `<html lang>` is `lang`."""
    return lambda page: page.get("lang") == lang


def check(step, page, lang, direction, texts):
    problems = []
    if page["lang"] != lang:
        problems.append(f"<html lang> is {page['lang']!r}, expected {lang!r}")
    if page["dir"] != direction or page["direction"] != direction:
        problems.append(f"dir is {page['dir']!r} (computed {page['direction']!r}), expected {direction!r}")
    for text in texts:
        if text not in page["text"]:
            problems.append(f"text {text!r} is missing")
    if problems:
        raise Fail(f"{step}: " + "; ".join(problems) + f"\n--- page text ---\n{page['text'][:1500]}")
    print(f"ok  {step}: lang={lang} dir={direction}" + "".join(f", {t!r}" for t in texts))


steps = 0


def shot(browser, name):
    global steps
    steps += 1
    browser.screenshot(f"{mode}-{steps:02d}-{name}")


def switch_by_query_and_cookie(browser):
    """The switcher's `?lang=` links, and the cookie the layer sets."""
    # 1. A new visitor whose browser asks for English.
    page = browser.goto("/", locale("en"))
    check("Accept-Language: en-US", page, "en", "ltr",
          ["Hello!", "accept-language", "1,234,567.89", "25.6%"])
    shot(browser, "en")
    # 2. The switcher: French, with its numbers (U+202F between the groups).
    page = browser.click('nav a[lang="fr"]', locale("fr"))
    check("click Français", page, "fr", "ltr",
          ["Bonjour", "query", "1\u202f234\u202f567,89", "25,6\u00a0%"])
    if browser.cookie("lang") != "fr":
        raise Fail(f"the language cookie is {browser.cookie('lang')!r} after choosing French")
    shot(browser, "fr")
    # 3. The cookie is remembered: `/` without `?lang=` stays French.
    page = browser.goto("/", locale("fr"))
    check("back to / (cookie)", page, "fr", "ltr", ["Bonjour", "cookie"])
    shot(browser, "fr-cookie")
    # 4. German numbers.
    page = browser.click('nav a[lang="de"]', locale("de"))
    check("click Deutsch", page, "de", "ltr", ["1.234.567,89", "25,6\u00a0%"])
    shot(browser, "de")
    # 5. Arabic: right to left, as the browser lays it out.
    page = browser.click('nav a[lang="ar"]', locale("ar"))
    check("click العربية", page, "ar", "rtl", ["مرحبًا"])
    shot(browser, "ar")
    # 6. The choice survives another page: /context answers in Arabic.
    browser.send("Page.navigate", {"url": base + "/context"})
    context = browser.wait_for("GET /context", lambda p: '"locale"' in p.get("text", ""))
    if json.loads(context["text"]).get("locale") != "ar":
        raise Fail(f"/context after choosing Arabic: {context['text'][:300]}")
    page = browser.goto("/", locale("ar"))
    check("back to / (cookie)", page, "ar", "rtl", ["مرحبًا", "cookie"])
    # 7. Pseudo-locales, chosen explicitly: accented and longer, then forced RTL.
    page = browser.click('nav a[lang="en-XA"]', locale("en-XA"))
    check("click en-XA", page, "en-XA", "ltr", ["[Ħeeŀŀoo!"])
    shot(browser, "en-XA")
    page = browser.click('nav a[lang="ar-XB"]', locale("ar-XB"))
    check("click ar-XB", page, "ar-XB", "rtl", ["\u202eHǝʅʅo"])
    shot(browser, "ar-XB")
    # 8. Back to English through the switcher.
    page = browser.click('nav a[lang="en"]', locale("en"))
    check("click English", page, "en", "ltr", ["Hello!"])


def switch_by_path(browser):
    """With CROCODILE_LOCALE_PREFIX=on the switcher links `/fr/`, `/ar/`..."""
    page = browser.goto("/", locale("en"))
    check("/ (Accept-Language: en-US)", page, "en", "ltr", ["Hello!", "1,234,567.89"])
    page = browser.click('nav a[lang="fr"]', locale("fr"))
    check("click Français", page, "fr", "ltr", ["Bonjour", "path", "1\u202f234\u202f567,89"])
    if not page["url"].startswith(base + "/fr/"):
        raise Fail(f"the French link led to {page['url']}, not under /fr/")
    shot(browser, "fr")
    page = browser.click('nav a[lang="ar"]', locale("ar"))
    check("click العربية", page, "ar", "rtl", ["مرحبًا", "path"])
    if not page["url"].startswith(base + "/ar/"):
        raise Fail(f"the Arabic link led to {page['url']}, not under /ar/")
    shot(browser, "ar")
    page = browser.goto("/de/", locale("de"))
    check("GET /de/", page, "de", "ltr", ["1.234.567,89"])
    # The head lists every locale's URL for search engines.
    hreflang = browser.eval("document.querySelectorAll('link[rel=alternate][hreflang]').length")
    if not hreflang:
        raise Fail("no <link rel=alternate hreflang> in the head with locale prefixes")
    print(f"ok  {hreflang} hreflang alternates in the head")


browser = Browser()
try:
    browser.open_tab()
    if mode == "prefix":
        switch_by_path(browser)
    else:
        switch_by_query_and_cookie(browser)
except Fail as error:
    try:
        browser.screenshot(f"{mode}-failed")
    except Exception:
        pass
    print(f"FAIL {error}", file=sys.stderr)
    sys.exit(1)
finally:
    browser.close()
print(f"browser ({mode}): {steps} screenshots in {out}")
PY

for mode in query prefix; do
  serve "$mode"
  rm -rf "$profile" && mkdir -p "$profile"
  timeout 180 python3 "$out/driver.py" "http://127.0.0.1:$port" "$out" "$profile" "$mode"
  stop_server
done
echo "browser: passed"
